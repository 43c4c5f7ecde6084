package dev.tiergate.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The service tiers a caller can ask for; the router maps tier and mode to a model chain. */
public enum Tier {
  FRONTIER,
  BALANCED,
  FREE,
  SMALL;

  /** The lower-case id used on the wire and in routing keys, e.g. {@code balanced}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses an id case-insensitively; empty when it names no tier. */
  public static Optional<Tier> parse(final String id) {
    if (id == null) {
      return Optional.empty();
    }
    final String wanted = id.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(tier -> tier.id().equals(wanted)).findFirst();
  }
}
