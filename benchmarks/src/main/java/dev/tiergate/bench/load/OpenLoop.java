package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open-loop schedule the generators share: request {@code i} is due at {@code start + i / rate}
 * and is started then whether or not earlier ones have answered, so its latency can be measured
 * from that intended time (no coordinated omission), and a generator that falls behind shows as an
 * achieved rate below the asked one.
 */
final class OpenLoop {

  private static final Logger LOG = LoggerFactory.getLogger(OpenLoop.class);

  /** Starts request {@code sequence}, due at {@code intendedNanos} ({@link System#nanoTime}). */
  @FunctionalInterface
  interface Send {
    void send(long sequence, long intendedNanos);
  }

  private OpenLoop() {}

  /** How many requests {@code duration} holds at {@code rate} per second; at least one. */
  static long count(final int rate, final Duration duration) {
    return Math.max(1, rate * duration.toMillis() / 1000);
  }

  /** Starts {@code count} requests at {@code rate} per second; returns how long that took, ns. */
  static long run(final long count, final int rate, final Send send) {
    Objects.requireNonNull(send, "send");
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be positive: " + rate);
    }
    final long periodNanos = 1_000_000_000L / rate;
    final long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      final long intended = start + i * periodNanos;
      parkUntil(intended);
      send.send(i, intended);
    }
    return Math.max(1, System.nanoTime() - start);
  }

  /**
   * Starts one request and hands its outcome on; a target that throws rather than failing its
   * stage fails the request the same way.
   */
  static <T> void start(
      final Supplier<CompletionStage<T>> request, final BiConsumer<T, Throwable> outcome) {
    final CompletionStage<T> answer;
    try {
      answer = request.get();
    } catch (RuntimeException e) {
      outcome.accept(null, e);
      return;
    }
    answer.whenComplete(outcome);
  }

  private static void parkUntil(final long deadline) {
    for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }

  /** Outcomes of one phase's requests; the ones unanswered when the drain ends count as failed. */
  static final class Tally {

    private final CountDownLatch done;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong errorsLogged = new AtomicLong();

    Tally(final long requests) {
      this.done = new CountDownLatch((int) Math.min(Integer.MAX_VALUE, requests));
    }

    void succeeded() {
      ok.incrementAndGet();
      done.countDown();
    }

    void failed(final Throwable error) {
      failed.incrementAndGet();
      if (errorsLogged.incrementAndGet() <= 3) {
        LOG.warn("request failed: {}", error.toString());
      }
      done.countDown();
    }

    long ok() {
      return ok.get();
    }

    long failed() {
      return failed.get();
    }

    /** Waits for every request to end, at most {@code timeout}; the rest count as failed. */
    void drain(final Duration timeout) {
      try {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("{} requests still unanswered after {}", done.getCount(), timeout);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while draining", e);
      }
      failed.addAndGet(done.getCount());
    }
  }
}
