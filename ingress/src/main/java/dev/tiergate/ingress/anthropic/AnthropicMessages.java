package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns Anthropic messages and content blocks into the pipeline's {@link Message}s: text and
 * images, {@code tool_use} as TOOL_CALL parts, {@code tool_result} as TOOL_RESULT parts (the
 * dispatcher splits them into tool messages for OpenAI-format providers), and thinking blocks as
 * REASONING parts that keep their signature, so they can be passed back verbatim.
 */
final class AnthropicMessages {

  static final String THINKING_FORMAT = "anthropic-thinking";
  static final String REDACTED_THINKING_FORMAT = "anthropic-redacted-thinking";
  private static final Set<String> ROLES = Set.of("user", "assistant");

  private AnthropicMessages() {}

  /** The {@code system} prompt (a string or text blocks) as one system message. */
  static Optional<Message> system(final JsonNode system) {
    if (system == null || system.isNull()) {
      return Optional.empty();
    }
    if (system.isTextual()) {
      return Optional.of(
          MessageParts.message("system", List.of(MessageParts.text(system.asText()))));
    }
    return Optional.of(MessageParts.message("system", JsonFields.list(
        system, "system", "a string or an array of text blocks", AnthropicMessages::systemBlock)));
  }

  private static ContentPart systemBlock(final JsonNode block, final String param) {
    if (!"text".equals(JsonFields.text(block, "type", param + ".type"))) {
      throw GatewayException.invalidRequest(param, "System blocks must be text blocks.");
    }
    return MessageParts.text(JsonFields.requiredText(block, "text", param + ".text"));
  }

  static List<Message> messages(final JsonNode messages) {
    return JsonFields.nonEmptyList(messages, "messages", AnthropicMessages::message);
  }

  private static Message message(final JsonNode node, final String param) {
    if (!node.isObject()) {
      throw JsonFields.wrongType(param, "an object");
    }
    final String role = MessageParts.role(node, param, ROLES, "user or assistant");
    return MessageParts.message(role, content(node.get("content"), role, param + ".content"));
  }

  private static List<ContentPart> content(
      final JsonNode content, final String role, final String param) {
    if (content == null || content.isNull()) {
      throw GatewayException.invalidRequest(param, "'" + param + "' is required.");
    }
    return MessageParts.content(content, param, "a string or an array of content blocks",
        (block, blockParam) -> block(block, role, blockParam));
  }

  private static ContentPart block(final JsonNode block, final String role, final String param) {
    if (!block.isObject()) {
      throw JsonFields.wrongType(param, "an object");
    }
    final String type = JsonFields.requiredText(block, "type", param + ".type");
    switch (type) {
      case "text":
        return MessageParts.text(JsonFields.requiredText(block, "text", param + ".text"));
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
    return MessageParts.toolCall(
        JsonFields.requiredText(block, "id", param + ".id"),
        JsonFields.requiredText(block, "name", param + ".name"),
        input == null || input.isNull() ? "{}" : input.toString());
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
