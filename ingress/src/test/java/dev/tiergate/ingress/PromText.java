package dev.tiergate.ingress;

import java.util.Locale;

/** Reads one sample out of a Prometheus text exposition, for assertions. */
final class PromText {

  private PromText() {}

  /**
   * The value of the first sample of {@code name} carrying every given label pair ({@code
   * "route", "/v1/models", ...}); NaN when there is none, so an equality assertion fails clearly.
   */
  static double value(final String exposition, final String name, final String... labels) {
    for (final String line : exposition.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      if (hasLabels(line, labels)) {
        final String[] parts = line.trim().split(" ");
        return Double.parseDouble(parts[parts.length - 1].toLowerCase(Locale.ROOT));
      }
    }
    return Double.NaN;
  }

  private static boolean hasLabels(final String line, final String... labels) {
    for (int i = 0; i < labels.length; i += 2) {
      if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
        return false;
      }
    }
    return true;
  }
}
