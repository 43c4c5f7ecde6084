package dev.tiergate.accounting;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A time bucket of spend, in UTC. Hour, day and month are calendar windows, each kept in its own
 * windowed store for a bounded retention; {@link #TOTAL} is the all-time sum in a key-value store.
 * Retention is how long a window stays queryable after it starts; a month is kept for 13 months so a
 * year-on-year look at last month still works.
 */
public enum SpendWindow {
  HOUR(Duration.ofDays(8), ChronoUnit.HOURS),
  DAY(Duration.ofDays(100), ChronoUnit.DAYS),
  MONTH(Duration.ofDays(400), ChronoUnit.MONTHS),
  TOTAL(Duration.ZERO, ChronoUnit.FOREVER);

  /** The store of {@link #TOTAL}. */
  static final String TOTAL_STORE = "spend-store";

  private final Duration retention;
  /** The calendar unit of one bucket. */
  private final ChronoUnit unit;

  SpendWindow(final Duration retention, final ChronoUnit unit) {
    this.retention = retention;
    this.unit = unit;
  }

  /** The start of the bucket that holds a usage which occurred at the given time. */
  public Instant start(final Instant occurredAt) {
    return switch (this) {
      case HOUR, DAY -> occurredAt.truncatedTo(unit);
      case MONTH -> LocalDate.ofInstant(occurredAt, ZoneOffset.UTC)
          .withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      case TOTAL -> Instant.EPOCH;
    };
  }

  /** The exclusive end of the bucket that starts at {@code start}. */
  public Instant end(final Instant start) {
    return switch (this) {
      case HOUR, DAY -> start.plus(unit.getDuration());
      case MONTH -> LocalDate.ofInstant(start, ZoneOffset.UTC)
          .plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      case TOTAL -> Instant.MAX;
    };
  }

  /** How long a bucket stays in its store; zero for {@link #TOTAL}, which is never dropped. */
  public Duration retention() {
    return retention;
  }

  /** True for the calendar windows, which live in windowed stores. */
  public boolean windowed() {
    return this != TOTAL;
  }

  /** The name of the store that holds this window's aggregates. */
  public String storeName() {
    return this == TOTAL ? TOTAL_STORE : "spend-" + label() + "-store";
  }

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
