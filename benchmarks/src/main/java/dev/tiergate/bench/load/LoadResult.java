package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * What one fixed-rate run measured: latency of successful requests from their intended send time
 * (microseconds), how many were sent, answered 200, failed, and the rate actually achieved.
 */
public record LoadResult(
    String label,
    int targetRate,
    Duration duration,
    Histogram latencyMicros,
    long sent,
    long ok,
    long failed,
    double achievedRate) {

  public LoadResult {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(latencyMicros, "latencyMicros");
  }

  /** Latency at a percentile, in milliseconds. */
  public double millisAt(final double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Every request answered 200 and the generator kept up with the asked rate (within 5%). */
  public boolean clean() {
    return OpenLoop.clean(sent, ok, failed, achievedRate, targetRate);
  }

  /** One Markdown table row: label, rate, p50, p90, p99, p99.9, max, ok, failed. */
  public String markdownRow() {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %d | %.0f |",
        label,
        targetRate,
        millisAt(50),
        millisAt(90),
        millisAt(99),
        millisAt(99.9),
        latencyMicros.getMaxValue() / 1000.0,
        ok,
        failed,
        achievedRate);
  }

  public static String markdownHeader() {
    return "| target | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | ok | failed | achieved/s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }
}
