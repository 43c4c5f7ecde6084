package dev.tiergate.ingress.auth;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The optional {@code ;name=value} attributes after an entry of a key or tenant spec, e.g. {@code
 * ;tiers=small|free;rpm=60;tpm=100000;concurrent=4}. Errors name the attribute, never the value
 * before it (which may be a key).
 */
public final class SpecAttributes {

  public static final String RPM = "rpm";
  public static final String TPM = "tpm";
  public static final String CONCURRENT = "concurrent";
  /** Separator of list values ({@code tiers=small|free}). */
  static final String LIST_SEPARATOR = "\\|";

  private final Map<String, String> values;

  private SpecAttributes(final Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code parts} (each {@code name=value}) against the allowed names.
   *
   * @param malformed turns a reason into the caller's error (which names the entry, not the key)
   */
  public static SpecAttributes parse(
      final String[] parts, final Set<String> allowed,
      final Function<String, IllegalArgumentException> malformed) {
    final Map<String, String> values = new LinkedHashMap<>();
    for (final String part : parts) {
      final String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      final int eq = trimmed.indexOf('=');
      if (eq <= 0) {
        throw malformed.apply("expected name=value after ';'");
      }
      final String name = trimmed.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (!allowed.contains(name)) {
        throw malformed.apply("unknown attribute '" + safe(name) + "'; expected one of " + allowed);
      }
      if (values.put(name, trimmed.substring(eq + 1).trim()) != null) {
        throw malformed.apply("attribute '" + name + "' given twice");
      }
    }
    return new SpecAttributes(values);
  }

  /** The list under {@code name} ({@code a|b}); empty when absent. */
  java.util.List<String> list(final String name) {
    final String value = values.get(name);
    if (value == null || value.isBlank()) {
      return java.util.List.of();
    }
    return Arrays.stream(value.split(LIST_SEPARATOR)).map(String::trim).filter(v -> !v.isEmpty())
        .toList();
  }

  /** The {@code rpm}, {@code tpm} and {@code concurrent} attributes; absent ones are no limit. */
  public RateLimits limits(final Function<String, IllegalArgumentException> malformed) {
    return new RateLimits(
        positive(RPM, malformed), positive(TPM, malformed),
        Math.toIntExact(Math.min(Integer.MAX_VALUE, positive(CONCURRENT, malformed))));
  }

  private long positive(
      final String name, final Function<String, IllegalArgumentException> malformed) {
    final String value = values.get(name);
    if (value == null) {
      return 0;
    }
    try {
      final long parsed = Long.parseLong(value);
      if (parsed < 1) {
        throw malformed.apply("'" + name + "' must be a positive integer");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw malformed.apply("'" + name + "' must be a positive integer");
    }
  }

  /** An attribute name for an error message: short and printable, in case a key was pasted there. */
  private static String safe(final String name) {
    return name.length() > 16 || !name.matches("[a-z_-]+") ? "…" : name;
  }
}
