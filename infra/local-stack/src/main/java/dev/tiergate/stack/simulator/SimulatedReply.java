package dev.tiergate.stack.simulator;

/**
 * The answer to a {@link SimulatedPrompt}, before a wire format renders it.
 *
 * @param content the assistant text, {@code null} when the answer is a tool call
 * @param toolCall the tool call, {@code null} when the answer is text
 * @param hash the prompt's hash, from which ids and filler were derived
 */
record SimulatedReply(
    String content, ToolCall toolCall, FinishReason finishReason, TokenUsage usage, long hash) {

  /** Why generation stopped, in neutral terms; each format spells it its own way. */
  enum FinishReason {
    STOP,
    LENGTH,
    TOOL_CALLS
  }

  /**
   * A call to one tool.
   *
   * @param id the call id ({@code call_…})
   * @param arguments the arguments as a JSON object text
   */
  record ToolCall(String id, String name, String arguments) {}

  /**
   * Token counts as providers report them: cached tokens are part of the prompt tokens, reasoning
   * tokens part of the completion tokens.
   */
  record TokenUsage(int promptTokens, int completionTokens, int cachedTokens, int reasoningTokens) {
    int totalTokens() {
      return promptTokens + completionTokens;
    }
  }
}
