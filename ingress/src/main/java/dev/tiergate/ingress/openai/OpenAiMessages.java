package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns OpenAI chat messages into the pipeline's {@link Message}s: text and image parts, assistant
 * tool calls as TOOL_CALL parts, tool messages as TOOL_RESULT parts carrying the call id.
 */
public final class OpenAiMessages {

  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
  /** Reasoning text some OpenAI-compatible providers echo back on assistant messages. */
  static final String REASONING_FORMAT = "openai-compatible";

  private OpenAiMessages() {}

  static List<Message> messages(final JsonNode messages) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw GatewayException.invalidRequest(
          "messages", "'messages' is required and must be a non-empty array.");
    }
    final List<Message> result = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      result.add(message(messages.get(i), "messages[" + i + "]"));
    }
    return result;
  }

  private static Message message(final JsonNode node, final String param) {
    if (!node.isObject()) {
      throw JsonFields.wrongType(param, "an object");
    }
    final String role = JsonFields.requiredText(node, "role", param + ".role");
    if (!ROLES.contains(role)) {
      throw GatewayException.invalidRequest(
          param + ".role", "Unsupported role '" + role + "'; expected one of " + ROLES + ".");
    }
    final List<ContentPart> parts =
        role.equals("tool") ? List.of(toolResult(node, param)) : parts(node, role, param);
    return Message.newBuilder()
        .setRole(role)
        .setName(JsonFields.text(node, "name", param + ".name"))
        .setParts(parts)
        .build();
  }

  private static List<ContentPart> parts(
      final JsonNode node, final String role, final String param) {
    final List<ContentPart> parts = new ArrayList<>();
    if (role.equals("assistant")) {
      final String reasoning = JsonFields.text(node, "reasoning_content", param);
      if (reasoning != null) {
        parts.add(reasoningPart(reasoning));
      }
    }
    parts.addAll(content(node.get("content"), param + ".content"));
    if (role.equals("assistant") && JsonFields.present(node, "tool_calls")) {
      parts.addAll(toolCalls(node.get("tool_calls"), param + ".tool_calls"));
    }
    return parts;
  }

  private static List<ContentPart> content(final JsonNode content, final String param) {
    if (content == null || content.isNull()) {
      return List.of();
    }
    if (content.isTextual()) {
      return List.of(textPart(content.asText()));
    }
    if (!content.isArray()) {
      throw JsonFields.wrongType(param, "a string or an array of content parts");
    }
    final List<ContentPart> parts = new ArrayList<>(content.size());
    for (int i = 0; i < content.size(); i++) {
      parts.add(contentPart(content.get(i), param + "[" + i + "]"));
    }
    return parts;
  }

  private static ContentPart contentPart(final JsonNode part, final String param) {
    final String type = JsonFields.requiredText(part, "type", param + ".type");
    switch (type) {
      case "text":
        return textPart(JsonFields.requiredText(part, "text", param + ".text"));
      case "refusal":
        return textPart(JsonFields.requiredText(part, "refusal", param + ".refusal"));
      case "image_url":
        return imagePart(part, param);
      default:
        throw GatewayException.invalidRequest(
            param + ".type", "Unsupported content part type '" + type + "'.");
    }
  }

  private static ContentPart imagePart(final JsonNode part, final String param) {
    final JsonNode image = part.get("image_url");
    if (image == null || !(image.isObject() || image.isTextual())) {
      throw GatewayException.invalidRequest(
          param + ".image_url", "An image_url part needs an 'image_url' object with a 'url'.");
    }
    final String url =
        image.isTextual()
            ? image.asText()
            : JsonFields.requiredText(image, "url", param + ".image_url.url");
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

  private static List<ContentPart> toolCalls(final JsonNode calls, final String param) {
    if (!calls.isArray()) {
      throw JsonFields.wrongType(param, "an array");
    }
    final List<ContentPart> parts = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      parts.add(toolCall(calls.get(i), param + "[" + i + "]"));
    }
    return parts;
  }

  private static ContentPart toolCall(final JsonNode call, final String param) {
    final JsonNode function = call.get("function");
    if (function == null || !function.isObject()) {
      throw GatewayException.invalidRequest(param + ".function", "A tool call needs a function.");
    }
    final JsonNode arguments = function.get("arguments");
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_CALL)
        .setToolCallId(JsonFields.requiredText(call, "id", param + ".id"))
        .setToolName(JsonFields.requiredText(function, "name", param + ".function.name"))
        .setToolArgumentsJson(argumentsJson(arguments))
        .build();
  }

  private static String argumentsJson(final JsonNode arguments) {
    if (arguments == null || arguments.isNull()) {
      return "{}";
    }
    return arguments.isTextual() ? arguments.asText() : arguments.toString();
  }

  private static ContentPart toolResult(final JsonNode node, final String param) {
    final StringBuilder text = new StringBuilder();
    for (final ContentPart part : content(node.get("content"), param + ".content")) {
      if (part.getType() != PartType.TEXT) {
        throw GatewayException.invalidRequest(
            param + ".content", "Tool results may only contain text.");
      }
      text.append(part.getText());
    }
    return ContentPart.newBuilder()
        .setType(PartType.TOOL_RESULT)
        .setToolCallId(JsonFields.requiredText(node, "tool_call_id", param + ".tool_call_id"))
        .setText(text.toString())
        .build();
  }

  private static ContentPart textPart(final String text) {
    return ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
  }

  private static ContentPart reasoningPart(final String text) {
    return ContentPart.newBuilder()
        .setType(PartType.REASONING)
        .setText(text)
        .setReasoningFormat(REASONING_FORMAT)
        .build();
  }
}
