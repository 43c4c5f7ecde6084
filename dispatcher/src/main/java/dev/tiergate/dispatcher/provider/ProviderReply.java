package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider answered, translated out of its wire format.
 *
 * @param content the text answer, null when the model only called tools
 * @param reasoning reasoning text when the provider returns it
 * @param finishReason stop, length, tool_calls, content_filter (or the provider's own value)
 * @param usage empty when the provider reported none; in OpenAI's convention (input includes cached
 *     tokens, output includes reasoning tokens) whatever the provider's own
 * @param reasoningSignature the provider's signature over the reasoning (Anthropic thinking, Gemini
 *     thought signature), null when none; the client must send it back verbatim
 * @param embeddings an embeddings call's vectors, one per input in input order; empty for chat
 */
public record ProviderReply(
    String content,
    String reasoning,
    List<ToolCall> toolCalls,
    String finishReason,
    Optional<Usage> usage,
    String reasoningSignature,
    List<List<Float>> embeddings) {

  public ProviderReply {
    toolCalls = List.copyOf(toolCalls);
    Objects.requireNonNull(usage, "usage");
    embeddings = List.copyOf(embeddings);
  }

  public ProviderReply(
      final String content,
      final String reasoning,
      final List<ToolCall> toolCalls,
      final String finishReason,
      final Optional<Usage> usage,
      final String reasoningSignature) {
    this(content, reasoning, toolCalls, finishReason, usage, reasoningSignature, List.of());
  }

  /** An embeddings answer: the vectors and the input tokens (empty when the provider reports none). */
  public static ProviderReply embeddings(final List<List<Float>> vectors, final Optional<Usage> usage) {
    return new ProviderReply(null, null, List.of(), "stop", usage, null, vectors);
  }

  public ProviderReply(
      final String content,
      final String reasoning,
      final List<ToolCall> toolCalls,
      final String finishReason,
      final Optional<Usage> usage) {
    this(content, reasoning, toolCalls, finishReason, usage, null);
  }
}
