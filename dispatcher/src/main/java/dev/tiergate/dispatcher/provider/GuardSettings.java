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
 * @param maxConcurrentPerTenant interactive calls of one tenant in flight per provider, so one
 *     tenant cannot take every slot of a provider; batch calls get the same share of the batch
 *     budget ({@link #maxBatchConcurrentPerTenant})
 */
public record GuardSettings(
    int maxConcurrent,
    int maxBatchConcurrent,
    float breakerFailureRate,
    int breakerWindow,
    int breakerMinimumCalls,
    Duration breakerOpenFor,
    int maxConcurrentPerTenant) {

  public GuardSettings {
    if (maxConcurrent < 1 || maxBatchConcurrent < 1 || maxConcurrentPerTenant < 1) {
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

  /** With no per-tenant share beyond the provider's own limits. */
  public GuardSettings(
      final int maxConcurrent,
      final int maxBatchConcurrent,
      final float breakerFailureRate,
      final int breakerWindow,
      final int breakerMinimumCalls,
      final Duration breakerOpenFor) {
    this(maxConcurrent, maxBatchConcurrent, breakerFailureRate, breakerWindow, breakerMinimumCalls,
        breakerOpenFor, maxConcurrent);
  }

  /** A tenant's batch calls in flight per provider: its interactive share of the batch budget. */
  public int maxBatchConcurrentPerTenant() {
    final long share = (long) maxBatchConcurrent * Math.min(maxConcurrentPerTenant, maxConcurrent);
    return (int) Math.max(1, share / maxConcurrent);
  }

  /**
   * Defaults: 512 interactive and 64 batch calls per provider, half of each per tenant, breaker
   * at 50% of 20 calls, 30 s.
   */
  public static GuardSettings defaults() {
    return new GuardSettings(512, 64, 50f, 20, 10, Duration.ofSeconds(30), 256);
  }
}
