package dev.tiergate.accounting;

import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windows;

/**
 * Tumbling UTC calendar windows (hour, day or month) for Kafka Streams. {@code TimeWindows} has a
 * fixed size and so cannot express months; this one asks {@link SpendWindow} for each bucket's
 * bounds, so a usage lands in exactly one window whose end is the real calendar end, which is what
 * the grace period is measured from.
 */
final class CalendarWindows extends Windows<CalendarWindows.Bucket> {

  /** The longest bucket of any calendar window (31 days); bounds the store's segment math. */
  static final Duration MAX_SIZE = Duration.ofDays(31);

  private final SpendWindow window;
  private final Duration grace;

  CalendarWindows(final SpendWindow window, final Duration grace) {
    this.window = Objects.requireNonNull(window, "window");
    this.grace = Settings.requireNotNegative(grace, "grace");
    if (!window.windowed()) {
      throw new IllegalArgumentException(window + " is not a calendar window");
    }
  }

  @Override
  public Map<Long, Bucket> windowsFor(final long timestamp) {
    final Instant start = window.start(Instant.ofEpochMilli(timestamp));
    final Bucket bucket = new Bucket(start.toEpochMilli(), window.end(start).toEpochMilli());
    return Map.of(bucket.start(), bucket);
  }

  @Override
  public long size() {
    return window == SpendWindow.MONTH
        ? MAX_SIZE.toMillis()
        : window.end(Instant.EPOCH).toEpochMilli();
  }

  @Override
  public long gracePeriodMs() {
    return grace.toMillis();
  }

  /** One calendar bucket; buckets of one window never overlap each other. */
  static final class Bucket extends Window {

    Bucket(final long startMs, final long endMs) {
      super(startMs, endMs);
    }

    @Override
    public boolean overlap(final Window other) {
      return startMs < other.end() && other.start() < endMs;
    }
  }
}
