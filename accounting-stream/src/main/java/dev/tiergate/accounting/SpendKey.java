package dev.tiergate.accounting;

import java.time.Instant;
import java.util.Objects;

/**
 * The store and topic key of one aggregate: tenant, dimension, window, window start, value. Parts
 * are escaped and joined with {@code |}, ordered so that every row of one tenant, dimension and window
 * shares a prefix, which is how {@link SpendQuery} reads them with one prefix scan.
 */
public record SpendKey(
    String tenant, SpendDimension dimension, SpendWindow window, Instant windowStart, String value) {

  private static final char SEPARATOR = '|';

  public SpendKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(dimension, "dimension");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(value, "value");
  }

  /** The encoded key, e.g. {@code acme|mode|total|1970-01-01T00:00:00Z|plan}. */
  public String encode() {
    return prefix(tenant, dimension, window, windowStart) + escape(value);
  }

  /** The common prefix of every value of one tenant, dimension and window bucket. */
  public static String prefix(
      final String tenant,
      final SpendDimension dimension,
      final SpendWindow window,
      final Instant windowStart) {
    return escape(Objects.requireNonNull(tenant, "tenant"))
        + SEPARATOR + dimension.label()
        + SEPARATOR + window.label()
        + SEPARATOR + windowStart
        + SEPARATOR;
  }

  /** Percent-escapes the separator (and the escape character) so parts never run into each other. */
  static String escape(final String part) {
    return part.replace("%", "%25").replace("|", "%7C");
  }
}
