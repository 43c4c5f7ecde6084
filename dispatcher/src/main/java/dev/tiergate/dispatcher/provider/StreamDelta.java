package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.Usage;

/**
 * One increment of a streamed answer, in the pipeline's terms. A provider event may carry only a
 * finish reason or only usage; those have no {@linkplain #hasPayload() payload} for the client.
 */
public record StreamDelta(
    String content,
    String reasoning,
    Integer toolCallIndex,
    String toolCallId,
    String toolName,
    String toolArgumentsDelta,
    String finishReason,
    Usage usage) {

  public static StreamDelta content(final String text) {
    return new StreamDelta(text, null, null, null, null, null, null, null);
  }

  public static StreamDelta reasoning(final String text) {
    return new StreamDelta(null, text, null, null, null, null, null, null);
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

  /** True when the delta carries text or tool-call pieces a client should see. */
  public boolean hasPayload() {
    return content != null || reasoning != null || toolCallIndex != null;
  }
}
