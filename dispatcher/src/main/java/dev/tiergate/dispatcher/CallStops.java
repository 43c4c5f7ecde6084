package dev.tiergate.dispatcher;

import dev.tiergate.runtime.BoundedMap;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatRequest;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@link CallStop}s of the requests this dispatcher serves, and the cancels it has heard of.
 * Every dispatcher instance reads all of {@code tiergate.cancels} (a few records per abandoned
 * request), so whichever instance serves a request hears its cancel; a cancel that arrives before
 * its request is picked up is remembered (the most recent {@code capacity} ones) and stops the
 * request at pick-up. Thread-safe.
 */
final class CallStops {

  private final Clock clock;
  private final ConcurrentMap<String, CallStop> running = new ConcurrentHashMap<>();
  private final Map<String, String> cancelled;

  CallStops(final Clock clock, final int capacity) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cancelled = BoundedMap.insertionOrdered(capacity);
  }

  /** Deadlines only, no cancels heard (a dispatcher built without the cancels topic). */
  static CallStops deadlinesOnly(final Clock clock) {
    return new CallStops(clock, 1);
  }

  /**
   * The stop of a request about to be served; already stopped when its deadline has passed or its
   * cancel was heard. Close it when the request is done.
   */
  CallStop open(final ChatRequest request) {
    final String id = request.getCorrelationId();
    final CallStop stop = new CallStop(id, this::closed);
    running.put(id, stop);
    final String heard;
    synchronized (cancelled) {
      heard = cancelled.get(id);
    }
    if (heard != null) {
      stop.stop(heard);
    }
    stop.armDeadline(request.getDeadline(), clock.instant());
    return stop;
  }

  /** A cancel from {@code tiergate.cancels}: stops the call now, or at its pick-up. */
  void cancel(final CancelEvent event) {
    final String id = event.getCorrelationId();
    final String reason =
        CallStop.DEADLINE_EXCEEDED.equals(event.getReason())
            ? CallStop.DEADLINE_EXCEEDED
            : CallStop.CLIENT_DISCONNECTED;
    synchronized (cancelled) {
      cancelled.put(id, reason);
    }
    final CallStop stop = running.get(id);
    if (stop != null) {
      stop.stop(reason);
    }
  }

  int running() {
    return running.size();
  }

  private void closed(final CallStop stop) {
    running.remove(stop.correlationId(), stop);
  }
}
