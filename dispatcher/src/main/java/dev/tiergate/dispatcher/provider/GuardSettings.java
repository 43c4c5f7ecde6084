package dev.tiergate.dispatcher.provider;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits that protect each provider endpoint.
 *
 * @param maxConcurrent interactive calls in flight per provider; more wait their turn
 * @param maxBatchConcurrent batch calls ({@code batchId} set) in flight per provider, a separate
 *     budget, so a large batch never takes the slots interactive traffic needs
 * @param breakerFailureRate percentage of failed calls (5xx, connection, timeout) in the window that
 *     opens the endpoint's breaker
 * @param breakerWindow calls in the sliding window
 * @param breakerMinimumCalls calls before the rate is judged
 * @param breakerOpenFor how long an open breaker refuses calls before letting a few probes through
 */
public record GuardSettings(
    int maxConcurrent,
    int maxBatchConcurrent,
    float breakerFailureRate,
    int breakerWindow,
    int breakerMinimumCalls,
    Duration breakerOpenFor) {

  public GuardSettings {
    if (maxConcurrent < 1 || maxBatchConcurrent < 1) {
      throw new IllegalArgumentException("concurrency limits must be positive");
    }
    if (!(breakerFailureRate > 0 && breakerFailureRate <= 100)) {
      throw new IllegalArgumentException("breakerFailureRate must be in (0, 100]: " + breakerFailureRate);
    }
    if (breakerWindow < 1 || breakerMinimumCalls < 1) {
      throw new IllegalArgumentException("breaker window and minimum calls must be positive");
    }
    Objects.requireNonNull(breakerOpenFor, "breakerOpenFor");
  }

  /** Defaults: 512 interactive and 64 batch calls per provider, breaker at 50% of 20 calls, 30 s. */
  public static GuardSettings defaults() {
    return new GuardSettings(512, 64, 50f, 20, 10, Duration.ofSeconds(30));
  }
}
