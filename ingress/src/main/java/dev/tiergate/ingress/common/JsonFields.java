package dev.tiergate.ingress.common;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed, validating reads of optional request fields; a wrong type is the caller's 400. */
public final class JsonFields {

  private JsonFields() {}

  public static boolean present(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  public static String text(final JsonNode node, final String field, final String param) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isTextual()) {
      throw wrongType(param, "a string");
    }
    return value.asText();
  }

  public static String requiredText(final JsonNode node, final String field, final String param) {
    final String value = text(node, field, param);
    if (value == null || value.isBlank()) {
      throw GatewayException.invalidRequest(param, "Missing required parameter: '" + param + "'.");
    }
    return value;
  }

  public static Double number(final JsonNode node, final String field) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isNumber()) {
      throw wrongType(field, "a number");
    }
    return value.asDouble();
  }

  public static Long integer(final JsonNode node, final String field) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw wrongType(field, "an integer");
    }
    return value.asLong();
  }

  public static boolean bool(final JsonNode node, final String field) {
    if (!present(node, field)) {
      return false;
    }
    final JsonNode value = node.get(field);
    if (!value.isBoolean()) {
      throw wrongType(field, "a boolean");
    }
    return value.asBoolean();
  }

  /** The JSON text of any present value (object, array or scalar), or null. */
  public static String json(final JsonNode node, final String field) {
    return present(node, field) ? node.get(field).toString() : null;
  }

  public static GatewayException wrongType(final String param, final String expected) {
    return GatewayException.invalidRequest(param, "'" + param + "' must be " + expected + ".");
  }
}
