package dev.tiergate.ingress;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed, validating reads of optional request fields; a wrong type is the caller's 400. */
final class JsonFields {

  private JsonFields() {}

  static boolean present(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  static String text(final JsonNode node, final String field, final String param) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isTextual()) {
      throw wrongType(param, "a string");
    }
    return value.asText();
  }

  static String requiredText(final JsonNode node, final String field, final String param) {
    final String value = text(node, field, param);
    if (value == null || value.isBlank()) {
      throw GatewayException.invalidRequest(param, "Missing required parameter: '" + param + "'.");
    }
    return value;
  }

  static Double number(final JsonNode node, final String field) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isNumber()) {
      throw wrongType(field, "a number");
    }
    return value.asDouble();
  }

  static Long integer(final JsonNode node, final String field) {
    if (!present(node, field)) {
      return null;
    }
    final JsonNode value = node.get(field);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw wrongType(field, "an integer");
    }
    return value.asLong();
  }

  static boolean bool(final JsonNode node, final String field) {
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
  static String json(final JsonNode node, final String field) {
    return present(node, field) ? node.get(field).toString() : null;
  }

  static GatewayException wrongType(final String param, final String expected) {
    return GatewayException.invalidRequest(param, "'" + param + "' must be " + expected + ".");
  }
}
