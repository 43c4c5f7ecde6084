package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streamed Chat Completions on the open-loop schedule of {@link LoadGenerator}: at a fixed rate,
 * or a fixed number opened evenly over a ramp so that they are all open at once. Each stream is
 * timed from its intended send time ({@link StreamTimeline}); only complete streams count.
 */
public final class StreamGenerator {

  private static final Logger LOG = LoggerFactory.getLogger(StreamGenerator.class);

  private final Duration drainTimeout;
  private final AtomicLong open = new AtomicLong();

  /** @param drainTimeout how long to wait for the last streams to end after the last send */
  public StreamGenerator(final Duration drainTimeout) {
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  /** Runs {@code warmup} at the rate (discarded), then {@code duration} measured. */
  public StreamResult run(final String label, final HttpTarget target, final int rate,
      final Duration warmup, final Duration duration) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(target, "target");
    if (!warmup.isZero()) {
      phase(label, target, OpenLoop.count(rate, warmup), rate);
    }
    return logged(phase(label, target, OpenLoop.count(rate, duration), rate));
  }

  /**
   * Opens {@code streams} streams evenly over {@code ramp} and waits for them all to end: with
   * streams that last longer than the ramp, every one is open at once.
   */
  public StreamResult hold(
      final String label, final HttpTarget target, final int streams, final Duration ramp) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(target, "target");
    final int rate = (int) Math.max(1, Math.ceil(streams * 1000.0 / Math.max(1, ramp.toMillis())));
    return logged(phase(label, target, streams, rate));
  }

  /** Streams started and not yet ended, for a gauge. */
  public long open() {
    return open.get();
  }

  private StreamResult phase(
      final String label, final HttpTarget target, final long count, final int rate) {
    final StreamTally tally = new StreamTally(count);
    final long sendNanos = OpenLoop.run(count, rate, (sequence, intended) -> {
      final StreamTimeline timeline = new StreamTimeline(intended);
      open.incrementAndGet();
      OpenLoop.start(() -> target.stream(sequence, timeline), (status, error) -> {
        open.decrementAndGet();
        tally.record(status, error, timeline);
      });
    });
    tally.drain(drainTimeout);
    return tally.result(label, rate, count, sendNanos);
  }

  private static StreamResult logged(final StreamResult result) {
    LOG.info("{} at {}/s: first content p50 {} ms, gap p99 {} ms, completed {}, failed {}",
        result.run().label(), result.run().targetRate(), result.firstContentMillisAt(50),
        result.gapMillisAt(99), result.run().ok(), result.run().failed());
    return result;
  }
}
