package dev.tiergate.dispatcher.provider;

import java.util.Objects;

/**
 * A provider credential. Holding it in its own type keeps it out of every {@code toString()}, so a
 * logged record, config or target can never print it; only {@link #reveal()} gives the value, and
 * only the HTTP client calls it, to build the credential header.
 */
public final class ApiKey {

  private final String value;

  private ApiKey(final String value) {
    this.value = value;
  }

  public static ApiKey of(final String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("an API key must not be blank");
    }
    return new ApiKey(value.trim());
  }

  /** The secret itself; for the credential header only. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof ApiKey key && key.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "ApiKey[<redacted>]";
  }
}
