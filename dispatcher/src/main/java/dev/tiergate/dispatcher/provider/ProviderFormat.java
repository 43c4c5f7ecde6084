package dev.tiergate.dispatcher.provider;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The wire format a provider endpoint speaks. Each format has one {@link ProviderAdapter}; more
 * formats (Anthropic Messages, Gemini, generic OpenAI-compatible) plug in here.
 */
public enum ProviderFormat {
  OPENAI("openai");

  private final String configValue;

  ProviderFormat(final String configValue) {
    this.configValue = configValue;
  }

  public String configValue() {
    return configValue;
  }

  /** Parses a {@code TIERGATE_PROVIDER_<NAME>_FORMAT} value; fails on an unknown one. */
  public static ProviderFormat parse(final String value) {
    Objects.requireNonNull(value, "value");
    final String wanted = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(format -> format.configValue.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown provider format: " + value));
  }
}
