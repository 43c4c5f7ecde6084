package dev.tiergate.ingress.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/** Typed, validating reads of optional request fields; a wrong type is the caller's 400. */
public final class JsonFields {

  private JsonFields() {}

  public static boolean present(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  /**
   * Whether an optional object is there: false when it is absent or null, the caller's 400 naming
   * {@code param} when it is not an object.
   */
  public static boolean objectPresent(final JsonNode value, final String param) {
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isObject()) {
      throw wrongType(param, "an object");
    }
    return true;
  }

  public static String text(final JsonNode node, final String field, final String param) {
    return read(node, field, param, null, JsonNode::isTextual, "a string", JsonNode::asText);
  }

  public static String requiredText(final JsonNode node, final String field, final String param) {
    final String value = text(node, field, param);
    if (value == null || value.isBlank()) {
      throw GatewayException.invalidRequest(param, "Missing required parameter: '" + param + "'.");
    }
    return value;
  }

  public static Double number(final JsonNode node, final String field) {
    return read(node, field, field, null, JsonNode::isNumber, "a number", JsonNode::asDouble);
  }

  public static Long integer(final JsonNode node, final String field) {
    return read(node, field, field, null,
        value -> value.isIntegralNumber() && value.canConvertToLong(), "an integer",
        JsonNode::asLong);
  }

  public static boolean bool(final JsonNode node, final String field) {
    return read(node, field, field, false, JsonNode::isBoolean, "a boolean", JsonNode::asBoolean);
  }

  /** The JSON text of any present value (object, array or scalar), or null. */
  public static String json(final JsonNode node, final String field) {
    return present(node, field) ? node.get(field).toString() : null;
  }

  /**
   * An optional field's value as {@code convert} reads it, {@code absent} when it is missing or
   * null, and the 400 naming {@code param} when it is not {@code expected}.
   */
  private static <T> T read(
      final JsonNode node, final String field, final String param, final T absent,
      final Predicate<JsonNode> is, final String expected, final Function<JsonNode, T> convert) {
    if (!present(node, field)) {
      return absent;
    }
    final JsonNode value = node.get(field);
    if (!is.test(value)) {
      throw wrongType(param, expected);
    }
    return convert.apply(value);
  }

  public static GatewayException wrongType(final String param, final String expected) {
    return GatewayException.invalidRequest(param, "'" + param + "' must be " + expected + ".");
  }

  /**
   * The items of an optional array, each read by {@code item} with its own parameter name ({@code
   * param[i]}); empty when the array is absent or null.
   *
   * @param expected what {@code param} must be, for the 400 when it is not an array
   */
  public static <T> List<T> list(
      final JsonNode array, final String param, final String expected,
      final BiFunction<JsonNode, String, T> item) {
    if (array == null || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw wrongType(param, expected);
    }
    final List<T> result = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      result.add(item.apply(array.get(i), param + "[" + i + "]"));
    }
    return result;
  }

  /** The items of a required, non-empty array, each read as in {@link #list}. */
  public static <T> List<T> nonEmptyList(
      final JsonNode array, final String param, final BiFunction<JsonNode, String, T> item) {
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw GatewayException.invalidRequest(
          param, "'" + param + "' is required and must be a non-empty array.");
    }
    return list(array, param, "a non-empty array", item);
  }

  /**
   * An optional array of strings; empty when absent or null.
   *
   * @param expected what {@code param} must be, for the 400 (naming {@code param}) when it or one
   *     of its items is not a string
   */
  public static List<String> strings(
      final JsonNode array, final String param, final String expected) {
    return list(array, param, expected, (item, itemParam) -> {
      if (!item.isTextual()) {
        throw wrongType(param, expected);
      }
      return item.asText();
    });
  }
}
