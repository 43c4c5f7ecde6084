package dev.tiergate.dispatcher.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.JsonEventDecoder;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.StreamDelta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Anthropic's stream ({@code message_start}, {@code content_block_*}, {@code message_delta},
 * {@code message_stop}) to deltas. Content blocks are numbered across text, thinking and tool use,
 * so tool-use blocks are renumbered 0, 1, … as OpenAI numbers tool calls. Input usage arrives in
 * {@code message_start}, the (cumulative) output count in {@code message_delta}.
 */
final class AnthropicStreamDecoder extends JsonEventDecoder {

  private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
  private JsonNode inputUsage;

  AnthropicStreamDecoder(final AdapterJson json) {
    super(json);
  }

  @Override
  protected List<StreamDelta> decodeJson(final JsonNode data) {
    final List<StreamDelta> deltas = new ArrayList<>();
    switch (data.path("type").asText()) {
      case "message_start" -> inputUsage = data.path("message").path("usage");
      case "content_block_start" -> blockStart(data, deltas);
      case "content_block_delta" -> blockDelta(data, deltas);
      case "message_delta" -> messageDelta(data, deltas);
      case "message_stop" -> ended();
      case "error" -> throw error(data.path("error"));
      default -> { /* ping, content_block_stop */ }
    }
    return deltas;
  }

  private void blockStart(final JsonNode data, final List<StreamDelta> deltas) {
    final JsonNode block = data.path("content_block");
    final int blockIndex = data.path("index").asInt();
    switch (block.path("type").asText()) {
      case "tool_use" -> {
        final int toolIndex = toolIndexByBlock.size();
        toolIndexByBlock.put(blockIndex, toolIndex);
        deltas.add(
            StreamDelta.toolCall(toolIndex, block.path("id").asText(null), block.path("name").asText(null), null));
      }
      case "text" -> addIfNotEmpty(block.path("text").asText(""), deltas, StreamDelta::content);
      case "thinking" -> addIfNotEmpty(block.path("thinking").asText(""), deltas, StreamDelta::reasoning);
      default -> { /* redacted_thinking and server tool blocks: nothing for the client */ }
    }
  }

  private void blockDelta(final JsonNode data, final List<StreamDelta> deltas) {
    final JsonNode delta = data.path("delta");
    switch (delta.path("type").asText()) {
      case "text_delta" -> addIfNotEmpty(delta.path("text").asText(""), deltas, StreamDelta::content);
      case "thinking_delta" -> addIfNotEmpty(delta.path("thinking").asText(""), deltas, StreamDelta::reasoning);
      case "signature_delta" -> addIfNotEmpty(delta.path("signature").asText(""), deltas, StreamDelta::signature);
      case "input_json_delta" -> {
        final Integer toolIndex = toolIndexByBlock.get(data.path("index").asInt());
        final String partial = delta.path("partial_json").asText("");
        if (toolIndex != null && !partial.isEmpty()) {
          deltas.add(StreamDelta.toolCall(toolIndex, null, null, partial));
        }
      }
      default -> { /* citations and future delta kinds */ }
    }
  }

  private void messageDelta(final JsonNode data, final List<StreamDelta> deltas) {
    final String finish = AnthropicWire.finishReason(data.path("delta").get("stop_reason"));
    if (finish != null) {
      deltas.add(StreamDelta.finish(finish));
    }
    final JsonNode usage = data.path("usage");
    if (usage.isObject()) {
      // Newer streams repeat the input counts here; older ones only in message_start.
      final boolean inputHere = usage.has("input_tokens");
      final JsonNode input = inputHere || inputUsage == null || !inputUsage.isObject() ? usage : inputUsage;
      deltas.add(StreamDelta.usage(AnthropicWire.usage(input, usage.path("output_tokens").asLong(0))));
    }
  }

  private static ProviderFailure error(final JsonNode error) {
    final String type = error.path("type").asText("error");
    final String message = "error event " + type + ": " + error.path("message").asText("no details");
    return ProviderFailure.of(
        "rate_limit_error".equals(type) ? ProviderFailure.Kind.RATE_LIMITED : ProviderFailure.Kind.SERVER_ERROR,
        message);
  }

  private static void addIfNotEmpty(
      final String text,
      final List<StreamDelta> deltas,
      final Function<String, StreamDelta> kind) {
    if (!text.isEmpty()) {
      deltas.add(kind.apply(text));
    }
  }
}
