package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/** The pipeline's messages and content parts, built the same way from every dialect's body. */
public final class MessageParts {

  private MessageParts() {}

  public static Message message(final String role, final List<ContentPart> parts) {
    return Message.newBuilder().setRole(role).setParts(parts).build();
  }

  public static ContentPart text(final String text) {
    return ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
  }

  /**
   * A message's content: a string (one text part) or an array of parts, each read by {@code part}
   * with its parameter name ({@code param[i]}); none when absent.
   *
   * @param expected what the content must be, for the 400 when it is neither
   */
  public static List<ContentPart> content(
      final JsonNode content, final String param, final String expected,
      final BiFunction<JsonNode, String, ContentPart> part) {
    if (content != null && content.isTextual()) {
      return List.of(text(content.asText()));
    }
    return JsonFields.list(content, param, expected, part);
  }

  /**
   * A message's content as OpenAI's APIs write it: a string, or an array of typed parts. Parts of
   * the {@code textTypes} and {@code refusal} parts become text; {@code other} reads the API's
   * other part types.
   */
  public static List<ContentPart> typedContent(
      final JsonNode content, final String param, final Set<String> textTypes,
      final TypedPart other) {
    return content(content, param, "a string or an array of content parts",
        (part, partParam) -> typedPart(part, partParam, textTypes, other));
  }

  /** Reads a content part of one type; null for a type it does not know (a 400). */
  @FunctionalInterface
  public interface TypedPart {
    ContentPart read(String type, JsonNode part, String param);
  }

  private static ContentPart typedPart(
      final JsonNode part, final String param, final Set<String> textTypes,
      final TypedPart other) {
    final String type = JsonFields.requiredText(part, "type", param + ".type");
    if (textTypes.contains(type)) {
      return text(JsonFields.requiredText(part, "text", param + ".text"));
    }
    if (type.equals("refusal")) {
      return text(JsonFields.requiredText(part, "refusal", param + ".refusal"));
    }
    final ContentPart read = other.read(type, part, param);
    if (read == null) {
      throw GatewayException.invalidRequest(
          param + ".type", "Unsupported content part type '" + type + "'.");
    }
    return read;
  }

  /**
   * A message's {@code role}, one of {@code roles}.
   *
   * @param expected the roles as the 400 for any other names them
   */
  public static String role(
      final JsonNode node, final String param, final Set<String> roles, final String expected) {
    final String role = JsonFields.requiredText(node, "role", param + ".role");
    if (!roles.contains(role)) {
      throw GatewayException.invalidRequest(
          param + ".role", "Unsupported role '" + role + "'; expected " + expected + ".");
    }
    return role;
  }

  /** An image by URL; a {@code data:} URL's media type goes with it. */
  public static ContentPart image(final String url) {
    return ContentPart.newBuilder()
        .setType(PartType.IMAGE)
        .setImageUrl(url)
        .setMediaType(dataUrlMediaType(url))
        .build();
  }

  /** {@code image/png} of {@code data:image/png;base64,...}; null for a plain URL. */
  public static String dataUrlMediaType(final String url) {
    if (!url.startsWith("data:")) {
      return null;
    }
    final int end = url.indexOf(';');
    final int comma = url.indexOf(',');
    final int stop = end > 0 ? end : comma;
    return stop > "data:".length() ? url.substring("data:".length(), stop) : null;
  }

  public static ContentPart toolCall(
      final String callId, final String name, final String argumentsJson) {
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_CALL)
        .setToolCallId(callId)
        .setToolName(name)
        .setToolArgumentsJson(argumentsJson)
        .build();
  }

  public static ContentPart toolResult(final String callId, final String text) {
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_RESULT)
        .setToolCallId(callId)
        .setText(text)
        .build();
  }

  /**
   * The text of parts that may hold text only (a tool's output), joined.
   *
   * @throws GatewayException 400 naming {@code param}, with {@code message}, for any other part
   */
  public static String joinedText(
      final List<ContentPart> parts, final String param, final String message) {
    final StringBuilder text = new StringBuilder();
    for (final ContentPart part : parts) {
      if (part.getType() != PartType.TEXT) {
        throw GatewayException.invalidRequest(param, message);
      }
      text.append(part.getText());
    }
    return text.toString();
  }
}
