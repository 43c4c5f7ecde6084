package dev.tiergate.dispatcher.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.schemas.Usage;

/** Readers of Anthropic answer fields shared by full and streamed answers. */
final class AnthropicWire {

  private AnthropicWire() {}

  /**
   * Anthropic's usage in OpenAI's convention. Anthropic counts {@code input_tokens} without the
   * cache reads and cache writes, so all three add up to the input; the cache reads are the cached
   * subset. Its {@code output_tokens} already include thinking, which it does not report apart, so
   * reasoning tokens stay 0.
   */
  static Usage usage(final JsonNode usage, final long outputTokens) {
    final long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
    final long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
    return Usage.newBuilder()
        .setInputTokens(usage.path("input_tokens").asLong(0) + cacheRead + cacheWrite)
        .setOutputTokens(outputTokens)
        .setCachedInputTokens(cacheRead)
        .setReasoningTokens(0)
        .setEstimated(false)
        .build();
  }

  /** Anthropic's stop reason in pipeline (OpenAI) terms. */
  static String finishReason(final JsonNode stopReason) {
    if (stopReason == null || stopReason.isNull()) {
      return null;
    }
    return switch (stopReason.asText()) {
      case "end_turn", "stop_sequence", "pause_turn" -> "stop";
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> stopReason.asText();
    };
  }
}
