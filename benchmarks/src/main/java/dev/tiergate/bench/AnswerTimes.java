package dev.tiergate.bench;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the load generator read each Tiergate answer in full (epoch ms, by correlation id), kept only
 * while switched on: the measured phases, so the hop breakdown leaves the warm-ups out. Bounded; an
 * answer past the bound is not kept.
 */
final class AnswerTimes {

  private static final int MAX_ANSWERS = 1_000_000;

  private final Map<String, Long> answered = new ConcurrentHashMap<>();
  private volatile boolean on;

  void on() {
    on = true;
  }

  void off() {
    on = false;
  }

  /** Notes an answer while on; one without a request id is not Tiergate's and is ignored. */
  void answered(final String requestId, final long epochMillis) {
    if (on && requestId != null && answered.size() < MAX_ANSWERS) {
      answered.put(requestId, epochMillis);
    }
  }

  Optional<Long> answeredAt(final String requestId) {
    return Optional.ofNullable(answered.get(requestId));
  }
}
