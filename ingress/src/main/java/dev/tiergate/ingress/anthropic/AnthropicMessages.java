package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns Anthropic messages and content blocks into the pipeline's {@link Message}s: text and
 * images, {@code tool_use} as TOOL_CALL parts, {@code tool_result} as TOOL_RESULT parts (the
 * dispatcher splits them into tool messages for OpenAI-format providers), and thinking blocks as
 * REASONING parts that keep their signature, so they can be passed back verbatim.
 */
final class AnthropicMessages {

  static final String THINKING_FORMAT = "anthropic-thinking";
  static final String REDACTED_THINKING_FORMAT = "anthropic-redacted-thinking";

  private AnthropicMessages() {}

  /** The {@code system} prompt (a string or text blocks) as one system message. */
  static Optional<Message> system(final JsonNode system) {
    if (system == null || system.isNull()) {
      return Optional.empty();
    }
    if (system.isTextual()) {
      return Optional.of(message("system", List.of(textPart(system.asText()))));
    }
    if (!system.isArray()) {
      throw JsonFields.wrongType("system", "a string or an array of text blocks");
    }
    final List<ContentPart> parts = new ArrayList<>(system.size());
    for (int i = 0; i < system.size(); i++) {
      final JsonNode block = system.get(i);
      final String param = "system[" + i + "]";
      if (!"text".equals(JsonFields.text(block, "type", param + ".type"))) {
        throw GatewayException.invalidRequest(param, "System blocks must be text blocks.");
      }
      parts.add(textPart(JsonFields.requiredText(block, "text", param + ".text")));
    }
    return Optional.of(message("system", parts));
  }

  static List<Message> messages(final JsonNode messages) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw GatewayException.invalidRequest(
          "messages", "'messages' is required and must be a non-empty array.");
    }
    final List<Message> result = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      final JsonNode node = messages.get(i);
      final String param = "messages[" + i + "]";
      if (!node.isObject()) {
        throw JsonFields.wrongType(param, "an object");
      }
      final String role = JsonFields.requiredText(node, "role", param + ".role");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw GatewayException.invalidRequest(
            param + ".role", "Unsupported role '" + role + "'; expected user or assistant.");
      }
      result.add(message(role, content(node.get("content"), role, param + ".content")));
    }
    return result;
  }

  private static List<ContentPart> content(
      final JsonNode content, final String role, final String param) {
    if (content == null || content.isNull()) {
      throw GatewayException.invalidRequest(param, "'" + param + "' is required.");
    }
    if (content.isTextual()) {
      return List.of(textPart(content.asText()));
    }
    if (!content.isArray()) {
      throw JsonFields.wrongType(param, "a string or an array of content blocks");
    }
    final List<ContentPart> parts = new ArrayList<>(content.size());
    for (int i = 0; i < content.size(); i++) {
      parts.add(block(content.get(i), role, param + "[" + i + "]"));
    }
    return parts;
  }

  private static ContentPart block(final JsonNode block, final String role, final String param) {
    if (!block.isObject()) {
      throw JsonFields.wrongType(param, "an object");
    }
    final String type = JsonFields.requiredText(block, "type", param + ".type");
    switch (type) {
      case "text":
        return textPart(JsonFields.requiredText(block, "text", param + ".text"));
      case "image":
        return image(block, param);
      case "tool_use":
        return toolUse(block, role, param);
      case "tool_result":
        return toolResult(block, role, param);
      case "thinking":
        return reasoning(
            JsonFields.text(block, "thinking", param + ".thinking"),
            JsonFields.text(block, "signature", param + ".signature"),
            THINKING_FORMAT);
      case "redacted_thinking":
        return reasoning(
            null, JsonFields.requiredText(block, "data", param + ".data"),
            REDACTED_THINKING_FORMAT);
      default:
        throw GatewayException.invalidRequest(
            param + ".type", "Unsupported content block type '" + type + "'.");
    }
  }

  private static ContentPart image(final JsonNode block, final String param) {
    final JsonNode source = block.get("source");
    if (source == null || !source.isObject()) {
      throw GatewayException.invalidRequest(param + ".source", "An image needs a 'source'.");
    }
    final String type = JsonFields.requiredText(source, "type", param + ".source.type");
    if (type.equals("url")) {
      return ContentPart.newBuilder()
          .setType(PartType.IMAGE)
          .setImageUrl(JsonFields.requiredText(source, "url", param + ".source.url"))
          .build();
    }
    if (!type.equals("base64")) {
      throw GatewayException.invalidRequest(
          param + ".source.type", "Image sources must be 'base64' or 'url'.");
    }
    final String mediaType =
        JsonFields.requiredText(source, "media_type", param + ".source.media_type");
    final String data = JsonFields.requiredText(source, "data", param + ".source.data");
    return ContentPart.newBuilder()
        .setType(PartType.IMAGE)
        .setImageUrl("data:" + mediaType + ";base64," + data)
        .setMediaType(mediaType)
        .build();
  }

  private static ContentPart toolUse(final JsonNode block, final String role, final String param) {
    if (!role.equals("assistant")) {
      throw GatewayException.invalidRequest(param, "tool_use blocks belong to assistant turns.");
    }
    final JsonNode input = block.get("input");
    if (input != null && !input.isNull() && !input.isObject()) {
      throw JsonFields.wrongType(param + ".input", "an object");
    }
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_CALL)
        .setToolCallId(JsonFields.requiredText(block, "id", param + ".id"))
        .setToolName(JsonFields.requiredText(block, "name", param + ".name"))
        .setToolArgumentsJson(input == null || input.isNull() ? "{}" : input.toString())
        .build();
  }

  private static ContentPart toolResult(
      final JsonNode block, final String role, final String param) {
    if (!role.equals("user")) {
      throw GatewayException.invalidRequest(param, "tool_result blocks belong to user turns.");
    }
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_RESULT)
        .setToolCallId(JsonFields.requiredText(block, "tool_use_id", param + ".tool_use_id"))
        .setText(resultText(block.get("content"), param + ".content"))
        .setToolResultIsError(JsonFields.bool(block, "is_error"))
        .build();
  }

  /** A tool result's content: a string or text blocks, joined. */
  private static String resultText(final JsonNode content, final String param) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw JsonFields.wrongType(param, "a string or an array of text blocks");
    }
    final StringBuilder text = new StringBuilder();
    for (int i = 0; i < content.size(); i++) {
      final JsonNode block = content.get(i);
      if (!"text".equals(JsonFields.text(block, "type", param + "[" + i + "].type"))) {
        throw GatewayException.invalidRequest(
            param + "[" + i + "]", "Tool results may only contain text.");
      }
      text.append(JsonFields.requiredText(block, "text", param + "[" + i + "].text"));
    }
    return text.toString();
  }

  private static Message message(final String role, final List<ContentPart> parts) {
    return Message.newBuilder().setRole(role).setParts(parts).build();
  }

  private static ContentPart textPart(final String text) {
    return ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
  }

  private static ContentPart reasoning(
      final String text, final String signature, final String format) {
    return ContentPart.newBuilder()
        .setType(PartType.REASONING)
        .setText(text)
        .setReasoningSignature(signature)
        .setReasoningFormat(format)
        .build();
  }
}
