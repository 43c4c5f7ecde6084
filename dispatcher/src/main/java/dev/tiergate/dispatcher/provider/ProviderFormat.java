package dev.tiergate.dispatcher.provider;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The wire format a provider endpoint speaks; each has one {@link ProviderAdapter}. The reasoning
 * format is how that API carries reasoning blocks, which decides what can be sent back to it.
 */
public enum ProviderFormat {
  /** OpenAI Chat Completions itself ({@code max_completion_tokens}). */
  OPENAI("openai", "openai-reasoning"),
  /** Servers copying Chat Completions (Ollama, vLLM, OpenRouter, DeepSeek, Groq…): {@code max_tokens}. */
  OPENAI_COMPATIBLE("openai-compatible", "openai-reasoning"),
  /** Anthropic Messages. */
  ANTHROPIC("anthropic", "anthropic-thinking"),
  /** Google Gemini generateContent / streamGenerateContent. */
  GEMINI("gemini", "gemini-thought");

  private final String configValue;
  private final String reasoningFormat;

  ProviderFormat(final String configValue, final String reasoningFormat) {
    this.configValue = configValue;
    this.reasoningFormat = reasoningFormat;
  }

  public String configValue() {
    return configValue;
  }

  /** The {@code reasoningFormat} of reasoning blocks this API produces and accepts back. */
  public String reasoningFormat() {
    return reasoningFormat;
  }

  /** Parses a {@code TIERGATE_PROVIDER_<NAME>_FORMAT} value; fails on an unknown one. */
  public static ProviderFormat parse(final String value) {
    Objects.requireNonNull(value, "value");
    final String wanted = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return Arrays.stream(values())
        .filter(format -> format.configValue.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown provider format: " + value));
  }

  /**
   * The format a provider speaks when its config does not say: Anthropic's and Google's own APIs
   * for those names, OpenAI for openai, the OpenAI-compatible dialect for anyone else.
   */
  public static ProviderFormat defaultFor(final String providerName) {
    Objects.requireNonNull(providerName, "providerName");
    return Optional.ofNullable(
            switch (ModelId.normalizeProvider(providerName)) {
              case "openai" -> OPENAI;
              case "anthropic" -> ANTHROPIC;
              case "google", "gemini" -> GEMINI;
              default -> null;
            })
        .orElse(OPENAI_COMPATIBLE);
  }
}
