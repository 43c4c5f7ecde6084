package dev.tiergate.accounting;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A time bucket of spend. Only the all-time total exists so far; calendar windows (hour, day, month
 * in UTC) are added here by returning the bucket's start from {@link #start(Instant)}, and they land
 * in the same store under their own key prefix.
 */
public enum SpendWindow {
  TOTAL {
    @Override
    public Instant start(final Instant occurredAt) {
      return Instant.EPOCH;
    }
  };

  /** The start of the bucket that holds a usage which occurred at the given time. */
  public abstract Instant start(Instant occurredAt);

  /** The name used in keys, on {@code SpendAggregate.window} and in queries. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SpendWindow> fromLabel(final String label) {
    final String wanted = label.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(w -> w.label().equals(wanted)).findFirst();
  }

  /** Every label, comma-separated, for error messages. */
  public static String labels() {
    return Arrays.stream(values()).map(SpendWindow::label).collect(Collectors.joining(", "));
  }
}
