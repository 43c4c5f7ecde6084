package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.settings.Settings;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A non-blocking semaphore: at most {@code permits} calls run at once, later ones wait in FIFO order
 * without holding a thread. A permit is released exactly once, whether the call completes, fails or
 * is cancelled, including a cancel that races with the grant. The queue is bounded by whoever
 * submits (the dispatcher worker caps requests in flight).
 */
public final class AsyncLimiter {

  private final int permits;
  private final Deque<Waiter> waiters = new ArrayDeque<>();
  private int used;

  public AsyncLimiter(final int permits) {
    this.permits = Settings.requirePositive(permits, "permits");
  }

  /** Runs the call once a permit is free; the permit is held until the call terminates. */
  public <T> Mono<T> withPermit(final Supplier<Mono<T>> call) {
    return acquire().flatMap(permit -> Mono.defer(call).doFinally(signal -> permit.release()));
  }

  /** Flux variant of {@link #withPermit}. */
  public <T> Flux<T> withPermitMany(final Supplier<Flux<T>> call) {
    return acquire().flatMapMany(permit -> Flux.defer(call).doFinally(signal -> permit.release()));
  }

  public synchronized int inUse() {
    return used;
  }

  public synchronized int waiting() {
    return waiters.size();
  }

  private Mono<Permit> acquire() {
    return Mono.create(
        sink -> {
          final Waiter waiter = new Waiter(sink);
          final boolean granted;
          synchronized (this) {
            granted = used < permits;
            if (granted) {
              used++;
            } else {
              waiters.add(waiter);
            }
          }
          sink.onCancel(waiter::cancel);
          if (granted) {
            waiter.grant();
          }
        });
  }

  private void releaseOne() {
    while (true) {
      final Waiter next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          used--;
          return;
        }
      }
      if (next.grant()) {
        return;
      }
    }
  }

  private synchronized void forget(final Waiter waiter) {
    waiters.remove(waiter);
  }

  /** One acquisition: waiting, granted (holds a permit) or cancelled. */
  private final class Waiter {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;

    private final MonoSink<Permit> sink;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final Permit permit = new Permit();

    Waiter(final MonoSink<Permit> sink) {
      this.sink = sink;
    }

    /** Hands the permit over; false when the waiter was cancelled first. */
    boolean grant() {
      if (!state.compareAndSet(WAITING, GRANTED)) {
        return false;
      }
      sink.success(permit);
      return true;
    }

    void cancel() {
      if (state.compareAndSet(WAITING, CANCELLED)) {
        forget(this);
      } else {
        // Granted: the permit may never have reached the call, so release it here (idempotent).
        permit.release();
      }
    }
  }

  /** A held permit; releasing twice is harmless. */
  private final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        releaseOne();
      }
    }
  }
}
