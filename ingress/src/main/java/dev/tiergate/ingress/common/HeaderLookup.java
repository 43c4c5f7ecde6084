package dev.tiergate.ingress.common;

/** Case-insensitive access to request headers, so normalization does not depend on Netty types. */
@FunctionalInterface
public interface HeaderLookup {

  /** The header's value, or null when absent. Names are matched case-insensitively. */
  String get(String name);

  /** The first of the given headers that is present and not blank, trimmed; null when none is. */
  default String first(final String... names) {
    for (final String name : names) {
      final String value = get(name);
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }
}
