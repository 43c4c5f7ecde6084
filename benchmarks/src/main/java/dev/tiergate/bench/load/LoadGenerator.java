package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
    final LoadResult result =
        new LoadResult(
            label, rate, duration, measured.histogram, measured.sent, measured.ok.get(),
            measured.failed.get(), measured.sent * 1e9 / measured.sendNanos);
    LOG.info("{} at {}/s: p50 {} ms, p99 {} ms, failed {}",
        label, rate, result.millisAt(50), result.millisAt(99), result.failed());
    return result;
  }

  private Phase phase(final Target target, final int rate, final Duration duration) {
    final long count = Math.max(1, rate * duration.toMillis() / 1000);
    final long periodNanos = 1_000_000_000L / rate;
    final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    final Phase phase = new Phase(count);
    final long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      final long intended = start + i * periodNanos;
      parkUntil(intended);
      fire(target, i, intended, recorder, phase);
    }
    phase.sent = count;
    phase.sendNanos = Math.max(1, System.nanoTime() - start);
    await(phase.done);
    phase.histogram = recorder.getIntervalHistogram();
    phase.failed.addAndGet(phase.done.getCount());
    return phase;
  }

  private static void fire(
      final Target target,
      final long sequence,
      final long intended,
      final Recorder recorder,
      final Phase phase) {
    final CompletionStage<Integer> answer;
    try {
      answer = target.send(sequence);
    } catch (RuntimeException e) {
      phase.fail(e);
      return;
    }
    answer.whenComplete(
        (status, error) -> {
          if (error == null && status == 200) {
            recorder.recordValue(
                Math.min(HIGHEST_MICROS, (System.nanoTime() - intended) / 1000));
            phase.ok.incrementAndGet();
            phase.done.countDown();
          } else {
            phase.fail(error != null ? error : new IllegalStateException("HTTP " + status));
          }
        });
  }

  private static void parkUntil(final long deadline) {
    for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }

  private void await(final CountDownLatch done) {
    try {
      if (!done.await(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} requests still unanswered after {}", done.getCount(), drainTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while draining", e);
    }
  }

  /** Counters of one phase; unanswered requests at the end count as failed. */
  private static final class Phase {
    final CountDownLatch done;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong firstErrors = new AtomicLong();
    long sent;
    long sendNanos;
    Histogram histogram;

    Phase(final long count) {
      this.done = new CountDownLatch((int) Math.min(Integer.MAX_VALUE, count));
    }

    void fail(final Throwable error) {
      failed.incrementAndGet();
      if (firstErrors.incrementAndGet() <= 3) {
        LOG.warn("request failed: {}", error.toString());
      }
      done.countDown();
    }
  }
}
