package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.Usage;

/**
 * One increment of a streamed answer, in the pipeline's terms. A provider event may carry only a
 * finish reason, only usage or only a reasoning signature; those have no {@linkplain #hasPayload()
 * payload} for the client.
 */
public record StreamDelta(
    String content,
    String reasoning,
    Integer toolCallIndex,
    String toolCallId,
    String toolName,
    String toolArgumentsDelta,
    String finishReason,
    Usage usage,
    String reasoningSignature) {

  public StreamDelta(
      final String content,
      final String reasoning,
      final Integer toolCallIndex,
      final String toolCallId,
      final String toolName,
      final String toolArgumentsDelta,
      final String finishReason,
      final Usage usage) {
    this(content, reasoning, toolCallIndex, toolCallId, toolName, toolArgumentsDelta, finishReason, usage, null);
  }

  public static StreamDelta content(final String text) {
    return new StreamDelta(text, null, null, null, null, null, null, null);
  }

  public static StreamDelta reasoning(final String text) {
    return new StreamDelta(null, text, null, null, null, null, null, null);
  }

  /** The provider's signature of the reasoning so far (Anthropic, Gemini), passed back verbatim. */
  public static StreamDelta signature(final String signature) {
    return new StreamDelta(null, null, null, null, null, null, null, null, signature);
  }

  public static StreamDelta toolCall(
      final int index, final String id, final String name, final String argumentsDelta) {
    return new StreamDelta(null, null, index, id, name, argumentsDelta, null, null);
  }

  public static StreamDelta finish(final String finishReason) {
    return new StreamDelta(null, null, null, null, null, null, finishReason, null);
  }

  public static StreamDelta usage(final Usage usage) {
    return new StreamDelta(null, null, null, null, null, null, null, usage);
  }

  /** True when the delta carries text, tool-call pieces or a signature a client should see. */
  public boolean hasPayload() {
    return content != null || reasoning != null || toolCallIndex != null || reasoningSignature != null;
  }
}
