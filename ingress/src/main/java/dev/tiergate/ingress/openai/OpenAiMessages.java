package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.MessageParts;
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
    return JsonFields.nonEmptyList(messages, "messages", OpenAiMessages::message);
  }

  private static Message message(final JsonNode node, final String param) {
    if (!node.isObject()) {
      throw JsonFields.wrongType(param, "an object");
    }
    final String role = MessageParts.role(node, param, ROLES, "one of " + ROLES);
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
      parts.addAll(JsonFields.list(
          node.get("tool_calls"), param + ".tool_calls", "an array", OpenAiMessages::toolCall));
    }
    return parts;
  }

  private static List<ContentPart> content(final JsonNode content, final String param) {
    return MessageParts.typedContent(content, param, Set.of("text"),
        (type, part, partParam) -> type.equals("image_url") ? imagePart(part, partParam) : null);
  }

  private static ContentPart imagePart(final JsonNode part, final String param) {
    final JsonNode image = part.get("image_url");
    if (image == null || !(image.isObject() || image.isTextual())) {
      throw GatewayException.invalidRequest(
          param + ".image_url", "An image_url part needs an 'image_url' object with a 'url'.");
    }
    return MessageParts.image(
        image.isTextual()
            ? image.asText()
            : JsonFields.requiredText(image, "url", param + ".image_url.url"));
  }

  private static ContentPart toolCall(final JsonNode call, final String param) {
    final JsonNode function = call.get("function");
    if (function == null || !function.isObject()) {
      throw GatewayException.invalidRequest(param + ".function", "A tool call needs a function.");
    }
    return MessageParts.toolCall(
        JsonFields.requiredText(call, "id", param + ".id"),
        JsonFields.requiredText(function, "name", param + ".function.name"),
        argumentsJson(function.get("arguments")));
  }

  private static String argumentsJson(final JsonNode arguments) {
    if (arguments == null || arguments.isNull()) {
      return "{}";
    }
    return arguments.isTextual() ? arguments.asText() : arguments.toString();
  }

  private static ContentPart toolResult(final JsonNode node, final String param) {
    final String text = MessageParts.joinedText(
        content(node.get("content"), param + ".content"), param + ".content",
        "Tool results may only contain text.");
    return MessageParts.toolResult(
        JsonFields.requiredText(node, "tool_call_id", param + ".tool_call_id"), text);
  }

  private static ContentPart reasoningPart(final String text) {
    return ContentPart.newBuilder()
        .setType(PartType.REASONING)
        .setText(text)
        .setReasoningFormat(REASONING_FORMAT)
        .build();
  }
}
