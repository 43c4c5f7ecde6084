package dev.tiergate.dispatcher.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.SseEvent;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.dispatcher.provider.StreamDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chat Completions stream events ({@code data: {chunk}} ... {@code data: [DONE]}) to deltas. With
 * {@code stream_options.include_usage} the usage arrives in a last chunk with no choices.
 */
final class OpenAiStreamDecoder implements StreamDecoder {

  private static final String DONE = "[DONE]";

  private final AdapterJson json;
  private boolean done;

  OpenAiStreamDecoder(final AdapterJson json) {
    this.json = Objects.requireNonNull(json, "json");
  }

  @Override
  public List<StreamDelta> decode(final SseEvent event) {
    final String data = event.data().strip();
    if (DONE.equals(data)) {
      done = true;
      return List.of();
    }
    if (data.isEmpty()) {
      return List.of();
    }
    final JsonNode chunk = json.readEvent(data);
    if (chunk.has("error")) {
      throw ProviderFailure.of(
          ProviderFailure.Kind.SERVER_ERROR,
          "error event: " + chunk.path("error").path("message").asText("no details"));
    }
    final List<StreamDelta> deltas = new ArrayList<>();
    final JsonNode choice = chunk.path("choices").path(0);
    if (choice.isObject()) {
      addChoiceDeltas(choice, deltas);
    }
    OpenAiWire.usage(chunk.get("usage")).ifPresent(usage -> deltas.add(StreamDelta.usage(usage)));
    return deltas;
  }

  @Override
  public boolean complete() {
    return done;
  }

  private static void addChoiceDeltas(final JsonNode choice, final List<StreamDelta> deltas) {
    final JsonNode delta = choice.path("delta");
    final String reasoning = OpenAiWire.reasoning(delta);
    if (reasoning != null && !reasoning.isEmpty()) {
      deltas.add(StreamDelta.reasoning(reasoning));
    }
    final String content = OpenAiWire.text(delta.get("content"));
    if (content != null && !content.isEmpty()) {
      deltas.add(StreamDelta.content(content));
    }
    for (final JsonNode call : delta.path("tool_calls")) {
      final JsonNode function = call.path("function");
      deltas.add(
          StreamDelta.toolCall(
              call.path("index").asInt(0),
              textOrNull(call.get("id")),
              textOrNull(function.get("name")),
              textOrNull(function.get("arguments"))));
    }
    final String finish = OpenAiWire.finishReason(choice.get("finish_reason"));
    if (finish != null) {
      deltas.add(StreamDelta.finish(finish));
    }
  }

  private static String textOrNull(final JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
