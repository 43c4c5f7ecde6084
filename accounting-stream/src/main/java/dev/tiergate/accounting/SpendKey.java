package dev.tiergate.accounting;

import java.time.Instant;
import java.util.Objects;

/**
 * The keys of one aggregate. On {@code tiergate.spend} the key names tenant, dimension, window,
 * window start and value ({@link #encode()}); inside the stores the window is the store itself (and
 * the window start is the windowed store's own time), so the store key is only tenant, dimension and
 * value ({@link #storeKey()}). Parts are escaped and joined with {@code |}, tenant first, so every row
 * of one tenant and dimension shares a prefix and the tenant decides the partition ({@link
 * TenantPartitioner}).
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

  /** The key inside the stores and on the repartition topic, e.g. {@code acme|mode|plan}. */
  public String storeKey() {
    return storeKey(tenant, dimension, value);
  }

  public static String storeKey(
      final String tenant, final SpendDimension dimension, final String value) {
    return storePrefix(tenant, dimension) + escape(Objects.requireNonNull(value, "value"));
  }

  /** The common prefix of every store key of one tenant and dimension. */
  public static String storePrefix(final String tenant, final SpendDimension dimension) {
    return escape(Objects.requireNonNull(tenant, "tenant")) + SEPARATOR + dimension.label()
        + SEPARATOR;
  }

  /** The escaped tenant part of a store or topic key: what the partition is chosen by. */
  static String tenantPart(final String key) {
    final int end = key.indexOf(SEPARATOR);
    return end < 0 ? key : key.substring(0, end);
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
