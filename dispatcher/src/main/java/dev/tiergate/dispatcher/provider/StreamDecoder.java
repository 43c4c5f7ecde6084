package dev.tiergate.dispatcher.provider;

import java.util.List;

/**
 * Turns one provider's stream events into deltas. Stateful and used by one stream only (Anthropic
 * and Gemini need to remember which block they are in).
 */
public interface StreamDecoder {

  /** The deltas in one event; may be empty. Throws {@link ProviderFailure} for an error event. */
  List<StreamDelta> decode(SseEvent event);

  /** True once the provider signalled a proper end of stream (e.g. OpenAI's {@code [DONE]}). */
  boolean complete();
}
