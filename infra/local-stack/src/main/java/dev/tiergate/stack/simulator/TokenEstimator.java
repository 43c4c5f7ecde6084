package dev.tiergate.stack.simulator;

/**
 * Approximates token counts the way a tokenizer does on English: about four characters a token. Good
 * enough to make costs scale with prompt size; not meant to match any real tokenizer exactly.
 */
final class TokenEstimator {

  /** What one image part costs, like OpenAI's low-detail images. */
  static final int TOKENS_PER_IMAGE = 85;

  /** Providers bill cached input in blocks past a minimum prefix; OpenAI's minimum is 1024. */
  static final int CACHE_BLOCK_TOKENS = 1024;

  private TokenEstimator() {}

  /** Tokens of a text: characters over four, rounded up. */
  static int tokens(final String text) {
    return (text.length() + 3) / 4;
  }

  /** Tokens of the whole prompt: every message (at least one each) and every tool schema. */
  static int promptTokens(final SimulatedPrompt prompt) {
    int total = 0;
    for (final SimulatedPrompt.PromptMessage message : prompt.messages()) {
      final int text = tokens(message.role() + message.text());
      total += Math.max(1, text + message.imageCount() * TOKENS_PER_IMAGE);
    }
    for (final SimulatedPrompt.ToolSpec tool : prompt.tools()) {
      total += (tool.schemaChars() + 3) / 4;
    }
    return total;
  }

  /**
   * The part of a prompt reported as read from the prompt cache: whole 1024-token blocks once the
   * prompt is longer than one block, so long agent contexts show cached input as they do in
   * production.
   */
  static int cachedTokens(final int promptTokens) {
    if (promptTokens <= CACHE_BLOCK_TOKENS) {
      return 0;
    }
    return promptTokens / CACHE_BLOCK_TOKENS * CACHE_BLOCK_TOKENS;
  }
}
