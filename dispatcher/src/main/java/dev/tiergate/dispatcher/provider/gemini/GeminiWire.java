package dev.tiergate.dispatcher.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.util.Optional;

/** Readers of Gemini answer fields shared by full and streamed answers. */
final class GeminiWire {

  private GeminiWire() {}

  /**
   * {@code usageMetadata} in OpenAI's convention. Gemini's {@code promptTokenCount} already includes
   * the cached tokens ({@code cachedContentTokenCount}), but its {@code candidatesTokenCount} leaves
   * out the thinking ({@code thoughtsTokenCount}), so output is their sum and reasoning the latter.
   * Tool-use prompt tokens are input too.
   */
  static Optional<Usage> usage(final JsonNode metadata) {
    if (metadata == null || !metadata.isObject()) {
      return Optional.empty();
    }
    final long thoughts = metadata.path("thoughtsTokenCount").asLong(0);
    return Optional.of(
        Usage.newBuilder()
            .setInputTokens(
                metadata.path("promptTokenCount").asLong(0) + metadata.path("toolUsePromptTokenCount").asLong(0))
            .setOutputTokens(metadata.path("candidatesTokenCount").asLong(0) + thoughts)
            .setCachedInputTokens(metadata.path("cachedContentTokenCount").asLong(0))
            .setReasoningTokens(thoughts)
            .setEstimated(false)
            .build());
  }

  /** Gemini's finish reason in pipeline terms; a stop after function calls is {@code tool_calls}. */
  static String finishReason(final JsonNode reason, final boolean calledTools) {
    if (reason == null || reason.isNull() || reason.asText().isEmpty()) {
      return null;
    }
    return switch (reason.asText()) {
      case "STOP" -> calledTools ? "tool_calls" : "stop";
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
          "content_filter";
      case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL" -> "error";
      default -> "stop";
    };
  }

  /**
   * A {@code functionCall} part as a tool call. Gemini ids are optional; without one the id is made
   * from the call's position and name, which is all a later tool result needs to be matched back.
   */
  static ToolCall toolCall(final JsonNode call, final int index) {
    final String name = call.path("name").asText("");
    final String id = call.path("id").asText("");
    final JsonNode args = call.path("args");
    return ToolCall.newBuilder()
        .setId(id.isEmpty() ? "call_" + index + "_" + name : id)
        .setName(name)
        .setArgumentsJson(args.isObject() ? args.toString() : "{}")
        .build();
  }
}
