package dev.tiergate.dispatcher.provider.openai;

import static dev.tiergate.dispatcher.provider.WireMessages.firstToolCallId;
import static dev.tiergate.dispatcher.provider.WireMessages.nullToEmpty;
import static dev.tiergate.dispatcher.provider.WireMessages.role;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.List;
import java.util.Objects;

/**
 * Normalized messages to OpenAI's {@code messages} array. Tool results become their own {@code
 * tool} messages (an Anthropic-style user turn holding results and text splits into several);
 * reasoning blocks are dropped, since Chat Completions takes no reasoning input.
 */
final class OpenAiMessages {

  private final ObjectMapper mapper;

  OpenAiMessages(final ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  ArrayNode toWire(final List<Message> messages) {
    final ArrayNode wire = mapper.createArrayNode();
    for (final Message message : messages) {
      addMessage(wire, message);
    }
    return wire;
  }

  private void addMessage(final ArrayNode wire, final Message message) {
    final String role = role(message);
    boolean hadToolResult = false;
    for (final ContentPart part : message.getParts()) {
      if (part.getType() == PartType.TOOL_RESULT) {
        wire.add(toolResult(part.getToolCallId(), part.getText()));
        hadToolResult = true;
      }
    }
    if ("tool".equals(role)) {
      if (!hadToolResult) {
        wire.add(toolResult(firstToolCallId(message), joinedText(message)));
      }
      return;
    }
    final List<ContentPart> content =
        message.getParts().stream().filter(OpenAiMessages::isContent).toList();
    final List<ContentPart> calls =
        message.getParts().stream().filter(part -> part.getType() == PartType.TOOL_CALL).toList();
    if (hadToolResult && content.isEmpty() && calls.isEmpty()) {
      return;
    }
    final ObjectNode out = wire.addObject().put("role", role);
    if (message.getName() != null) {
      out.put("name", message.getName());
    }
    putContent(out, role, content, !calls.isEmpty());
    if (!calls.isEmpty()) {
      final ArrayNode toolCalls = out.putArray("tool_calls");
      calls.forEach(call -> toolCalls.add(toolCall(call)));
    }
  }

  private void putContent(
      final ObjectNode out,
      final String role,
      final List<ContentPart> content,
      final boolean hasToolCalls) {
    if (content.isEmpty()) {
      if (hasToolCalls || "assistant".equals(role)) {
        out.putNull("content");
      } else {
        out.put("content", "");
      }
    } else if (content.size() == 1 && content.get(0).getType() == PartType.TEXT) {
      out.put("content", nullToEmpty(content.get(0).getText()));
    } else {
      final ArrayNode parts = out.putArray("content");
      content.forEach(part -> parts.add(contentPart(part)));
    }
  }

  private ObjectNode contentPart(final ContentPart part) {
    final ObjectNode node = mapper.createObjectNode();
    if (part.getType() == PartType.IMAGE) {
      node.put("type", "image_url").putObject("image_url").put("url", part.getImageUrl());
    } else {
      node.put("type", "text").put("text", nullToEmpty(part.getText()));
    }
    return node;
  }

  private ObjectNode toolCall(final ContentPart call) {
    final ObjectNode node = mapper.createObjectNode();
    node.put("id", nullToEmpty(call.getToolCallId())).put("type", "function");
    final String arguments = call.getToolArgumentsJson();
    node.putObject("function")
        .put("name", nullToEmpty(call.getToolName()))
        .put("arguments", arguments == null || arguments.isEmpty() ? "{}" : arguments);
    return node;
  }

  private ObjectNode toolResult(final String toolCallId, final String text) {
    final ObjectNode node = mapper.createObjectNode();
    node.put("role", "tool")
        .put("tool_call_id", nullToEmpty(toolCallId))
        .put("content", nullToEmpty(text));
    return node;
  }

  private static boolean isContent(final ContentPart part) {
    return part.getType() == PartType.TEXT
        || (part.getType() == PartType.IMAGE && part.getImageUrl() != null);
  }

  private static String joinedText(final Message message) {
    final StringBuilder text = new StringBuilder();
    message.getParts().stream()
        .filter(part -> part.getType() == PartType.TEXT && part.getText() != null)
        .forEach(part -> text.append(part.getText()));
    return text.toString();
  }
}
