package dev.tiergate.dispatcher.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.JsonEventDecoder;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code streamGenerateContent?alt=sse} events to deltas. Each event is a partial
 * GenerateContentResponse: text and thoughts arrive in pieces, a function call arrives whole, and
 * the last event carries the finish reason and the usage. Gemini sends no end marker, so the
 * stream is complete once a finish reason arrived.
 */
final class GeminiStreamDecoder extends JsonEventDecoder {

  private int toolCalls;
  private boolean signed;

  GeminiStreamDecoder(final AdapterJson json) {
    super(json);
  }

  @Override
  protected List<StreamDelta> decodeJson(final JsonNode chunk) {
    if (chunk.has("error")) {
      final JsonNode error = chunk.get("error");
      throw ProviderFailure.of(
          error.path("code").asInt() == 429 ? ProviderFailure.Kind.RATE_LIMITED : ProviderFailure.Kind.SERVER_ERROR,
          "error event: " + error.path("message").asText("no details"));
    }
    final List<StreamDelta> deltas = new ArrayList<>();
    final JsonNode candidate = chunk.path("candidates").path(0);
    for (final JsonNode part : candidate.path("content").path("parts")) {
      addPart(part, deltas);
    }
    final String finish = GeminiWire.finishReason(candidate.get("finishReason"), toolCalls > 0);
    if (finish != null) {
      deltas.add(StreamDelta.finish(finish));
      ended();
    }
    GeminiWire.usage(chunk.get("usageMetadata")).ifPresent(usage -> deltas.add(StreamDelta.usage(usage)));
    return deltas;
  }

  private void addPart(final JsonNode part, final List<StreamDelta> deltas) {
    if (part.has("thoughtSignature") && !signed) {
      signed = true;
      deltas.add(StreamDelta.signature(part.get("thoughtSignature").asText()));
    }
    if (part.has("functionCall")) {
      final int index = toolCalls++;
      final ToolCall call = GeminiWire.toolCall(part.get("functionCall"), index);
      deltas.add(StreamDelta.toolCall(index, call.getId(), call.getName(), call.getArgumentsJson()));
      return;
    }
    final String text = part.path("text").asText("");
    if (!text.isEmpty()) {
      deltas.add(part.path("thought").asBoolean(false) ? StreamDelta.reasoning(text) : StreamDelta.content(text));
    }
  }
}
