package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open-loop load generator: request {@code i} is due at {@code start + i / rate}, is sent then
 * whether or not earlier ones have answered, and its latency is measured from that intended time,
 * not from when it actually left. A system that stalls therefore shows the stall in every request
 * that queued behind it (no coordinated omission), and a generator that falls behind shows up as an
 * achieved rate below the asked one.
 */
public final class LoadGenerator {

  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

  private final Duration drainTimeout;

  /** @param drainTimeout how long to wait for the last answers after the last send */
  public LoadGenerator(final Duration drainTimeout) {
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  /** Runs {@code warmup} at the rate (discarded), then {@code duration} measured. */
  public LoadResult run(
      final String label,
      final Target target,
      final int rate,
      final Duration warmup,
      final Duration duration) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(target, "target");
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be positive: " + rate);
    }
    if (!warmup.isZero()) {
      phase(target, rate, warmup);
    }
    final Phase measured = phase(target, rate, duration);
    final LoadResult result = new LoadResult(
        OpenLoopRun.of(label, rate, measured.sent(), measured.sendNanos(), measured.tally()),
        measured.histogram());
    LOG.info("{} at {}/s: p50 {} ms, p99 {} ms, failed {}",
        label, rate, result.millisAt(50), result.millisAt(99), result.run().failed());
    return result;
  }

  private Phase phase(final Target target, final int rate, final Duration duration) {
    final long count = OpenLoop.count(rate, duration);
    final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    final OpenLoop.Tally tally = new OpenLoop.Tally(count);
    final long sendNanos = OpenLoop.run(count, rate, (sequence, intended) -> OpenLoop.start(
        () -> target.send(sequence),
        (status, error) -> {
          if (error == null && status == 200) {
            recorder.recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - intended) / 1000));
            tally.succeeded();
          } else {
            tally.failed(error != null ? error : new IllegalStateException("HTTP " + status));
          }
        }));
    tally.drain(drainTimeout);
    return new Phase(count, sendNanos, tally, recorder.getIntervalHistogram());
  }

  /** What one phase sent and got back. */
  private record Phase(long sent, long sendNanos, OpenLoop.Tally tally, Histogram histogram) {}
}
