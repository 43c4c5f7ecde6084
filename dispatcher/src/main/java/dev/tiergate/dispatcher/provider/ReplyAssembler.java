package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the final reply of a stream from its deltas: text and reasoning concatenated, tool calls
 * assembled by index, the last finish reason, usage and reasoning signature kept. Not thread-safe;
 * deltas of one stream arrive in order.
 */
public final class ReplyAssembler {

  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final Map<Integer, PartialToolCall> toolCalls = new TreeMap<>();
  private boolean sawContent;
  private boolean sawReasoning;
  private boolean sawAny;
  private String finishReason;
  private Usage usage;
  private String signature;

  public void add(final StreamDelta delta) {
    sawAny = true;
    if (delta.content() != null) {
      content.append(delta.content());
      sawContent = true;
    }
    if (delta.reasoning() != null) {
      reasoning.append(delta.reasoning());
      sawReasoning = true;
    }
    if (delta.toolCallIndex() != null) {
      toolCalls
          .computeIfAbsent(delta.toolCallIndex(), index -> new PartialToolCall())
          .add(delta);
    }
    if (delta.finishReason() != null) {
      finishReason = delta.finishReason();
    }
    if (delta.usage() != null) {
      usage = delta.usage();
    }
    if (delta.reasoningSignature() != null) {
      signature = delta.reasoningSignature();
    }
  }

  /** True once any delta arrived. */
  public boolean started() {
    return sawAny;
  }

  public Optional<String> finishReason() {
    return Optional.ofNullable(finishReason);
  }

  /** Everything received so far as one reply. */
  public ProviderReply reply() {
    final List<ToolCall> calls = new ArrayList<>();
    toolCalls.forEach((index, partial) -> calls.add(partial.toToolCall(index)));
    return new ProviderReply(
        sawContent ? content.toString() : null,
        sawReasoning ? reasoning.toString() : null,
        calls,
        finishReason,
        Optional.ofNullable(usage),
        signature);
  }

  private static final class PartialToolCall {
    private String id;
    private String name;
    private final StringBuilder arguments = new StringBuilder();

    void add(final StreamDelta delta) {
      if (delta.toolCallId() != null) {
        id = delta.toolCallId();
      }
      if (delta.toolName() != null) {
        name = delta.toolName();
      }
      if (delta.toolArgumentsDelta() != null) {
        arguments.append(delta.toolArgumentsDelta());
      }
    }

    ToolCall toToolCall(final int index) {
      return ToolCall.newBuilder()
          .setId(id != null ? id : "call_" + index)
          .setName(name != null ? name : "")
          .setArgumentsJson(arguments.length() > 0 ? arguments.toString() : "{}")
          .build();
    }
  }
}
