package dev.tiergate.bench.load;

import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * What one fixed-rate run measured: latency of successful requests from their intended send time
 * (microseconds), with the run's counts (how many were sent, answered 200, failed, and the rate
 * actually achieved).
 */
public record LoadResult(OpenLoopRun run, Histogram latencyMicros) {

  public LoadResult {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(latencyMicros, "latencyMicros");
  }

  /** Latency at a percentile, in milliseconds. */
  public double millisAt(final double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** One Markdown table row: label, rate, p50, p90, p99, p99.9, max, ok, failed. */
  public String markdownRow() {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %d | %.0f |",
        run.label(),
        run.targetRate(),
        millisAt(50),
        millisAt(90),
        millisAt(99),
        millisAt(99.9),
        latencyMicros.getMaxValue() / 1000.0,
        run.ok(),
        run.failed(),
        run.achievedRate());
  }

  public static String markdownHeader() {
    return "| target | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | ok | failed | achieved/s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }
}
