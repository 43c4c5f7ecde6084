package dev.tiergate.dispatcher.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.schemas.Usage;
import java.util.Optional;

/** Small readers of OpenAI answer fields shared by full and streamed answers. */
final class OpenAiWire {

  private OpenAiWire() {}

  /**
   * Usage with the cached-input and reasoning subsets; empty when absent. OpenAI counts cached
   * tokens inside {@code prompt_tokens} and reasoning tokens inside {@code completion_tokens}, the
   * same convention as {@link Usage}.
   */
  static Optional<Usage> usage(final JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return Optional.empty();
    }
    return Optional.of(
        Usage.newBuilder()
            .setInputTokens(usage.path("prompt_tokens").asLong(0))
            .setOutputTokens(usage.path("completion_tokens").asLong(0))
            .setCachedInputTokens(usage.path("prompt_tokens_details").path("cached_tokens").asLong(0))
            .setReasoningTokens(
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0))
            .setEstimated(false)
            .build());
  }

  /** The finish reason in pipeline terms; the legacy {@code function_call} means tool calls. */
  static String finishReason(final JsonNode reason) {
    if (reason == null || reason.isNull()) {
      return null;
    }
    final String value = reason.asText();
    return "function_call".equals(value) ? "tool_calls" : value;
  }

  /** Reasoning text some OpenAI-compatible servers return ({@code reasoning_content}). */
  static String reasoning(final JsonNode message) {
    final String reasoningContent = text(message.get("reasoning_content"));
    return reasoningContent != null ? reasoningContent : text(message.get("reasoning"));
  }

  /** A text field that may be a string or an array of text parts; null when absent. */
  static String text(final JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      final StringBuilder text = new StringBuilder();
      node.forEach(part -> text.append(part.path("text").asText("")));
      return text.toString();
    }
    return null;
  }
}
