package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A stream decoder for providers whose events each carry one JSON object and whose proper end is
 * told inside an event (Anthropic's {@code message_stop}, Gemini's finish reason) rather than by a
 * marker of its own; a blank event carries nothing.
 */
public abstract class JsonEventDecoder implements StreamDecoder {

  private final AdapterJson json;
  private boolean done;

  protected JsonEventDecoder(final AdapterJson json) {
    this.json = Objects.requireNonNull(json, "json");
  }

  @Override
  public final List<StreamDelta> decode(final SseEvent event) {
    if (event.data().isBlank()) {
      return List.of();
    }
    return decodeJson(json.readEvent(event.data()));
  }

  /** The deltas in one event's JSON; may be empty. Throws {@link ProviderFailure} for an error event. */
  protected abstract List<StreamDelta> decodeJson(JsonNode event);

  /** The provider said the stream ended properly. */
  protected final void ended() {
    done = true;
  }

  @Override
  public final boolean complete() {
    return done;
  }
}
