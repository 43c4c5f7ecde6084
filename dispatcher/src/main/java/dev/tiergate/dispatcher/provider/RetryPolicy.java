package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * How often one model is retried before the chain moves on: only {@linkplain
 * ProviderFailure#retryable() retryable} failures, with jittered exponential backoff. A provider's
 * Retry-After is honoured when it is within {@code retryAfterCap}; a longer one means the model is
 * unavailable for now, so the chain moves on instead of waiting.
 *
 * @param maxRetries retries after the first attempt, per model
 */
public record RetryPolicy(
    int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration retryAfterCap) {

  public RetryPolicy {
    Settings.requireNotNegative(maxRetries, "maxRetries");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(retryAfterCap, "retryAfterCap");
  }

  /** A Reactor retry spec applying this policy to {@link ProviderFailure}s. */
  public Retry spec() {
    return spec(() -> { });
  }

  /** The same spec, running {@code beforeRetry} before each retry it grants (for metrics). */
  public Retry spec(final Runnable beforeRetry) {
    Objects.requireNonNull(beforeRetry, "beforeRetry");
    return Retry.from(
        signals ->
            signals.concatMap(
                signal -> {
                  final Retry.RetrySignal copy = signal.copy();
                  final Optional<Duration> delay = delayBeforeRetry(copy.failure(), copy.totalRetries());
                  if (delay.isEmpty()) {
                    return Mono.error(copy.failure());
                  }
                  beforeRetry.run();
                  return Mono.delay(delay.get()).thenReturn(copy.totalRetries());
                }));
  }

  /** The wait before retry number {@code retriesSoFar + 1}, or empty when not to retry. */
  Optional<Duration> delayBeforeRetry(final Throwable failure, final long retriesSoFar) {
    if (!(failure instanceof ProviderFailure providerFailure)
        || !providerFailure.retryable()
        || retriesSoFar >= maxRetries) {
      return Optional.empty();
    }
    final Optional<Duration> retryAfter = providerFailure.retryAfter();
    if (retryAfter.isPresent()) {
      return retryAfter.get().compareTo(retryAfterCap) <= 0 ? retryAfter : Optional.empty();
    }
    return Optional.of(jitteredBackoff(retriesSoFar));
  }

  /** Exponential backoff with jitter in the upper half, so retries of many requests spread out. */
  Duration jitteredBackoff(final long retriesSoFar) {
    final long initial = Math.max(1, initialBackoff.toMillis());
    final long exponential = initial << Math.min(retriesSoFar, 20);
    final long capped = Math.min(exponential, Math.max(initial, maxBackoff.toMillis()));
    final long half = capped / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
  }
}
