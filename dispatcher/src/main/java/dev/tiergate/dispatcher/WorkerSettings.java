package dev.tiergate.dispatcher;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of one {@link DispatcherWorker}.
 *
 * @param maxInFlight requests served at once; past it the worker pauses its partitions
 * @param pollTimeout longest one {@code poll} blocks
 * @param idlePause after an empty poll, how long to wait for a completion before polling again;
 *     zero for a real consumer (its poll already blocks), a few milliseconds for a consumer whose
 *     poll returns at once ({@code MockConsumer}), so the loop does not spin
 * @param closeTimeout how long {@code close()} waits for in-flight requests before giving up on
 *     them (they are then redelivered to whoever owns the partition next)
 * @param dedupCapacity how many recent correlation ids are remembered to skip duplicates
 * @param maxBatchInFlight batch items (read from {@code tiergate.routed-batch}) served at once, a budget of their
 *     own on top of {@code maxInFlight}, so a batch never takes the slots interactive requests need
 */
public record WorkerSettings(
    int maxInFlight,
    Duration pollTimeout,
    Duration idlePause,
    Duration closeTimeout,
    int dedupCapacity,
    int maxBatchInFlight) {

  /** Settings whose batch budget equals {@code maxInFlight}. */
  public WorkerSettings(
      final int maxInFlight,
      final Duration pollTimeout,
      final Duration idlePause,
      final Duration closeTimeout,
      final int dedupCapacity) {
    this(maxInFlight, pollTimeout, idlePause, closeTimeout, dedupCapacity, maxInFlight);
  }

  public WorkerSettings {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    Objects.requireNonNull(idlePause, "idlePause");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (maxBatchInFlight < 1) {
      throw new IllegalArgumentException("maxBatchInFlight must be positive: " + maxBatchInFlight);
    }
    if (dedupCapacity < 1) {
      throw new IllegalArgumentException("dedupCapacity must be positive: " + dedupCapacity);
    }
  }
}
