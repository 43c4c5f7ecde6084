package dev.tiergate.bench.load;

import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * What one run of streamed requests measured, over the streams that completed (microseconds): time
 * from the intended send time to the first content event, every gap between content events, and
 * the whole stream to {@code [DONE]}; with the run's counts (how many were sent, completed and
 * failed, and the rate the generator achieved) and the content events the completed streams held.
 */
public record StreamResult(
    OpenLoopRun run,
    Histogram firstContentMicros,
    Histogram gapMicros,
    Histogram streamMicros,
    long contentEvents) {

  public StreamResult {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(firstContentMicros, "firstContentMicros");
    Objects.requireNonNull(gapMicros, "gapMicros");
    Objects.requireNonNull(streamMicros, "streamMicros");
  }

  /** Time to the first content event at a percentile, ms. */
  public double firstContentMillisAt(final double percentile) {
    return firstContentMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Gap between content events at a percentile, ms. */
  public double gapMillisAt(final double percentile) {
    return gapMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Content events per completed stream. */
  public double eventsPerStream() {
    return run.ok() == 0 ? 0 : (double) contentEvents / run.ok();
  }

  /** One Markdown row under {@link #markdownHeader()}. */
  public String markdownRow() {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %d | %d | %.0f |",
        run.label(),
        run.targetRate(),
        firstContentMillisAt(50),
        firstContentMillisAt(99),
        gapMillisAt(50),
        gapMillisAt(99),
        gapMillisAt(99.9),
        gapMicros.getMaxValue() / 1000.0,
        eventsPerStream(),
        streamMicros.getValueAtPercentile(50) / 1e6,
        run.ok(),
        run.failed(),
        run.achievedRate());
  }

  public static String markdownHeader() {
    return "| target | streams/s | TTFB p50 ms | TTFB p99 ms | gap p50 ms | gap p99 ms | gap p99.9 ms "
        + "| gap max ms | chunks/stream | stream p50 s | completed | failed | achieved/s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }
}
