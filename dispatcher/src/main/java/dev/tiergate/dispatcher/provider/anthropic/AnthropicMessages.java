package dev.tiergate.dispatcher.provider.anthropic;

import static dev.tiergate.dispatcher.provider.WireMessages.firstToolCallId;
import static dev.tiergate.dispatcher.provider.WireMessages.isSystem;
import static dev.tiergate.dispatcher.provider.WireMessages.nonEmpty;
import static dev.tiergate.dispatcher.provider.WireMessages.nullToEmpty;
import static dev.tiergate.dispatcher.provider.WireMessages.role;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.DataUrl;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.WireMessages;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Normalized messages to Anthropic's {@code system} and {@code messages}: system and developer
 * turns become the system prompt, tool turns become user turns of {@code tool_result} blocks,
 * consecutive turns of one role merge (tool results first, as Anthropic requires), and reasoning
 * blocks in Anthropic's own format go back as {@code thinking} blocks with their signature. Other
 * reasoning formats were dropped upstream and are skipped here too; none becomes text.
 */
final class AnthropicMessages {

  static final String REDACTED_FORMAT = "anthropic-redacted-thinking";

  private final AdapterJson json;

  AnthropicMessages(final AdapterJson json) {
    this.json = Objects.requireNonNull(json, "json");
  }

  /** The system prompt as text blocks; empty when the request has none. */
  Optional<ArrayNode> system(final List<Message> messages) {
    final ArrayNode system = json.mapper().createArrayNode();
    WireMessages.systemTexts(messages).forEach(text -> system.addObject().put("type", "text").put("text", text));
    return system.isEmpty() ? Optional.empty() : Optional.of(system);
  }

  ArrayNode messages(final List<Message> messages) {
    final ArrayNode wire = json.mapper().createArrayNode();
    for (final Message message : messages) {
      if (isSystem(message)) {
        continue;
      }
      final String role = "assistant".equals(role(message)) ? "assistant" : "user";
      final List<ObjectNode> blocks = blocks(message);
      if (blocks.isEmpty()) {
        continue;
      }
      final ArrayNode content = WireMessages.appendToTurn(wire, role, "content", blocks);
      if ("user".equals(role)) {
        toolResultsFirst(content);
      }
    }
    return wire;
  }

  private List<ObjectNode> blocks(final Message message) {
    final boolean toolTurn = "tool".equals(role(message));
    final List<ObjectNode> blocks = new ArrayList<>();
    for (final ContentPart part : message.getParts()) {
      if (toolTurn && part.getType() == PartType.TEXT) {
        blocks.add(toolResult(firstToolCallId(message), part.getText(), false));
      } else {
        block(part).ifPresent(blocks::add);
      }
    }
    return blocks;
  }

  private Optional<ObjectNode> block(final ContentPart part) {
    final ObjectNode node = json.mapper().createObjectNode();
    switch (part.getType()) {
      case TEXT:
        return nonEmpty(part.getText())
            ? Optional.of(node.put("type", "text").put("text", part.getText()))
            : Optional.empty();
      case IMAGE:
        return image(part.getImageUrl());
      case TOOL_CALL:
        node.put("type", "tool_use")
            .put("id", nullToEmpty(part.getToolCallId()))
            .put("name", nullToEmpty(part.getToolName()));
        node.set("input", json.requestJson(part.getToolArgumentsJson(), "tool call arguments"));
        return Optional.of(node);
      case TOOL_RESULT:
        return Optional.of(toolResult(part.getToolCallId(), part.getText(), part.getToolResultIsError()));
      case REASONING:
        return thinking(part);
      default:
        return Optional.empty();
    }
  }

  private Optional<ObjectNode> thinking(final ContentPart part) {
    final ObjectNode node = json.mapper().createObjectNode();
    if (REDACTED_FORMAT.equals(part.getReasoningFormat()) && nonEmpty(part.getText())) {
      return Optional.of(node.put("type", "redacted_thinking").put("data", part.getText()));
    }
    final boolean ours = ProviderFormat.ANTHROPIC.reasoningFormat().equals(part.getReasoningFormat());
    if (!ours || !nonEmpty(part.getReasoningSignature())) {
      return Optional.empty();
    }
    return Optional.of(
        node.put("type", "thinking")
            .put("thinking", nullToEmpty(part.getText()))
            .put("signature", part.getReasoningSignature()));
  }

  private Optional<ObjectNode> image(final String url) {
    if (url == null) {
      return Optional.empty();
    }
    final ObjectNode node = json.mapper().createObjectNode().put("type", "image");
    final ObjectNode source = node.putObject("source");
    final Optional<DataUrl> inline = DataUrl.parse(url);
    if (inline.isPresent()) {
      source.put("type", "base64")
          .put("media_type", inline.get().mediaType())
          .put("data", inline.get().base64());
    } else {
      source.put("type", "url").put("url", url);
    }
    return Optional.of(node);
  }

  private ObjectNode toolResult(final String toolCallId, final String text, final boolean isError) {
    final ObjectNode node =
        json.mapper()
            .createObjectNode()
            .put("type", "tool_result")
            .put("tool_use_id", nullToEmpty(toolCallId))
            .put("content", nullToEmpty(text));
    if (isError) {
      node.put("is_error", true);
    }
    return node;
  }

  private static void toolResultsFirst(final ArrayNode content) {
    final List<ObjectNode> results = new ArrayList<>();
    final List<ObjectNode> others = new ArrayList<>();
    content.forEach(
        block -> ("tool_result".equals(block.path("type").asText()) ? results : others).add((ObjectNode) block));
    content.removeAll();
    results.forEach(content::add);
    others.forEach(content::add);
  }
}
