package dev.tiergate.dispatcher;

import dev.tiergate.schemas.settings.Settings;
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
 * @param revokeTimeout when partitions are revoked, how long the worker waits for their requests in
 *     flight to finish and commits them before letting the partitions go; a request still running
 *     then is abandoned (its call cut) and served again by the next owner
 */
public record WorkerSettings(
    int maxInFlight,
    Duration pollTimeout,
    Duration idlePause,
    Duration closeTimeout,
    int dedupCapacity,
    int maxBatchInFlight,
    Duration revokeTimeout) {

  /** Settings whose batch budget equals {@code maxInFlight}. */
  public WorkerSettings(
      final int maxInFlight,
      final Duration pollTimeout,
      final Duration idlePause,
      final Duration closeTimeout,
      final int dedupCapacity) {
    this(maxInFlight, pollTimeout, idlePause, closeTimeout, dedupCapacity, maxInFlight);
  }

  /** Settings whose revocation wait equals {@code closeTimeout}. */
  public WorkerSettings(
      final int maxInFlight,
      final Duration pollTimeout,
      final Duration idlePause,
      final Duration closeTimeout,
      final int dedupCapacity,
      final int maxBatchInFlight) {
    this(maxInFlight, pollTimeout, idlePause, closeTimeout, dedupCapacity, maxBatchInFlight, closeTimeout);
  }

  public WorkerSettings {
    Settings.requirePositive(maxInFlight, "maxInFlight");
    Objects.requireNonNull(pollTimeout, "pollTimeout");
    Objects.requireNonNull(idlePause, "idlePause");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(revokeTimeout, "revokeTimeout");
    Settings.requirePositive(maxBatchInFlight, "maxBatchInFlight");
    Settings.requirePositive(dedupCapacity, "dedupCapacity");
  }
}
