package dev.tiergate.dispatcher.provider;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Makes a provider's own error text fit for a log line: one line, the credential of the call
 * replaced, and anything shaped like a provider key masked (providers echo a prefix of a wrong
 * key). The text still never reaches a client: see the dispatcher's error policy.
 */
public final class ProviderErrorText {

  /** OpenAI, Anthropic and Google key shapes, and bearer tokens. */
  private static final Pattern KEY_SHAPED = Pattern.compile(
      "(sk-ant-|sk-|AIza|Bearer\\s+)[A-Za-z0-9_*.\\-]{4,}", Pattern.CASE_INSENSITIVE);
  private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n\\t]+");
  static final String REDACTED = "<redacted>";

  private ProviderErrorText() {}

  /** The text with the call's key and key-shaped tokens replaced, on one line. */
  public static String forLog(final String text, final Optional<ApiKey> key) {
    Objects.requireNonNull(key, "key");
    if (text == null) {
      return "";
    }
    String cleaned = text;
    if (key.isPresent()) {
      cleaned = cleaned.replace(key.get().reveal(), REDACTED);
    }
    cleaned = KEY_SHAPED.matcher(cleaned).replaceAll(REDACTED);
    return LINE_BREAKS.matcher(cleaned).replaceAll(" ");
  }
}
