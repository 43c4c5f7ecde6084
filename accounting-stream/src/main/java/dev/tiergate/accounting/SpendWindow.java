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
  HOUR(Duration.ofDays(8)) {
    @Override
    public Instant start(final Instant occurredAt) {
      return occurredAt.truncatedTo(ChronoUnit.HOURS);
    }

    @Override
    public Instant end(final Instant start) {
      return start.plus(Duration.ofHours(1));
    }
  },
  DAY(Duration.ofDays(100)) {
    @Override
    public Instant start(final Instant occurredAt) {
      return occurredAt.truncatedTo(ChronoUnit.DAYS);
    }

    @Override
    public Instant end(final Instant start) {
      return start.plus(Duration.ofDays(1));
    }
  },
  MONTH(Duration.ofDays(400)) {
    @Override
    public Instant start(final Instant occurredAt) {
      final LocalDate date = LocalDate.ofInstant(occurredAt, ZoneOffset.UTC);
      return date.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    @Override
    public Instant end(final Instant start) {
      return LocalDate.ofInstant(start, ZoneOffset.UTC)
          .plusMonths(1)
          .atStartOfDay(ZoneOffset.UTC)
          .toInstant();
    }
  },
  TOTAL(Duration.ZERO) {
    @Override
    public Instant start(final Instant occurredAt) {
      return Instant.EPOCH;
    }

    @Override
    public Instant end(final Instant start) {
      return Instant.MAX;
    }
  };

  private final Duration retention;

  SpendWindow(final Duration retention) {
    this.retention = retention;
  }

  /** The start of the bucket that holds a usage which occurred at the given time. */
  public abstract Instant start(Instant occurredAt);

  /** The exclusive end of the bucket that starts at {@code start}. */
  public abstract Instant end(Instant start);

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
    return this == TOTAL ? AccountingTopology.SPEND_STORE : "spend-" + label() + "-store";
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
