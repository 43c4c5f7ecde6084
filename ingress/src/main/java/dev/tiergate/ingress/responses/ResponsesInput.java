package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns the {@code input} of an OpenAI Responses request (a string, or a list of items) into the
 * pipeline's {@link Message}s. Assistant-side items in a row (reasoning, an assistant message,
 * function calls) become one assistant message, as a chat history has them; each {@code
 * function_call_output} becomes a tool message carrying the call id.
 */
final class ResponsesInput {

  static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> TEXT_PART_TYPES = Set.of("input_text", "output_text");

  private ResponsesInput() {}

  static List<Message> messages(final JsonNode input) {
    if (input == null || input.isNull()) {
      throw GatewayException.invalidRequest("input", "Missing required parameter: 'input'.");
    }
    if (input.isTextual()) {
      return List.of(MessageParts.message("user", List.of(MessageParts.text(input.asText()))));
    }
    if (!input.isArray() || input.isEmpty()) {
      throw JsonFields.wrongType("input", "a string or a non-empty array of input items");
    }
    // Parts are gathered per message first: assistant-side items in a row share one message.
    final List<String> roles = new ArrayList<>(input.size());
    final List<List<ContentPart>> parts = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      final JsonNode item = input.get(i);
      final String param = "input[" + i + "]";
      if (!item.isObject()) {
        throw JsonFields.wrongType(param, "an object");
      }
      final String type = itemType(item, param);
      final List<ContentPart> assistantParts = assistantParts(type, item, param);
      final boolean afterAssistant =
          !roles.isEmpty() && roles.get(roles.size() - 1).equals("assistant");
      if (assistantParts != null && afterAssistant) {
        parts.get(parts.size() - 1).addAll(assistantParts);
      } else if (assistantParts != null) {
        roles.add("assistant");
        parts.add(new ArrayList<>(assistantParts));
      } else if (type.equals("function_call_output")) {
        roles.add("tool");
        parts.add(List.of(toolResult(item, param)));
      } else {
        roles.add(item.get("role").asText());
        parts.add(content(item.get("content"), param + ".content"));
      }
    }
    final List<Message> result = new ArrayList<>(roles.size());
    for (int i = 0; i < roles.size(); i++) {
      result.add(MessageParts.message(roles.get(i), List.copyOf(parts.get(i))));
    }
    return result;
  }

  /** An item's type; a message may leave it out (an easy input message). */
  private static String itemType(final JsonNode item, final String param) {
    final String type = JsonFields.text(item, "type", param + ".type");
    if (type == null || type.equals("message")) {
      MessageParts.role(item, param, ROLES, "one of " + ROLES);
      return "message";
    }
    return type;
  }

  /** The parts an assistant-side item adds to the assistant message; null for any other item. */
  private static List<ContentPart> assistantParts(
      final String type, final JsonNode item, final String param) {
    switch (type) {
      case "message":
        return item.get("role").asText().equals("assistant")
            ? content(item.get("content"), param + ".content")
            : null;
      case "function_call":
        return List.of(toolCall(item, param));
      case "reasoning":
        return List.of(ResponsesReasoning.part(item, param));
      case "function_call_output":
        return null;
      default:
        throw GatewayException.invalidRequest(
            param + ".type",
            "Unsupported input item type '" + type + "'; supported: message, function_call,"
                + " function_call_output, reasoning.");
    }
  }

  private static List<ContentPart> content(final JsonNode content, final String param) {
    if (content == null || content.isNull()) {
      throw GatewayException.invalidRequest(param, "Missing required parameter: '" + param + "'.");
    }
    return MessageParts.typedContent(content, param, TEXT_PART_TYPES,
        (type, part, partParam) -> type.equals("input_image") ? image(part, partParam) : null);
  }

  private static ContentPart image(final JsonNode part, final String param) {
    final String url = JsonFields.text(part, "image_url", param + ".image_url");
    if (url == null) {
      throw GatewayException.invalidRequest(
          param + ".image_url", "Only input_image parts with an 'image_url' are supported.");
    }
    return MessageParts.image(url);
  }

  private static ContentPart toolCall(final JsonNode item, final String param) {
    final String arguments = JsonFields.text(item, "arguments", param + ".arguments");
    return MessageParts.toolCall(
        JsonFields.requiredText(item, "call_id", param + ".call_id"),
        JsonFields.requiredText(item, "name", param + ".name"),
        arguments == null || arguments.isBlank() ? "{}" : arguments);
  }

  /** The output as text: a string, or the text of {@code input_text} parts. */
  private static ContentPart toolResult(final JsonNode item, final String param) {
    final JsonNode output = item.get("output");
    final String text;
    if (output != null && output.isTextual()) {
      text = output.asText();
    } else if (output != null && output.isArray()) {
      text = MessageParts.joinedText(content(output, param + ".output"), param + ".output",
          "Function call outputs may only contain text.");
    } else {
      throw JsonFields.wrongType(param + ".output", "a string or an array of input_text parts");
    }
    return MessageParts.toolResult(
        JsonFields.requiredText(item, "call_id", param + ".call_id"), text);
  }
}
