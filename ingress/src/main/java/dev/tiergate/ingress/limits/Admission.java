package dev.tiergate.ingress.limits;

import dev.tiergate.ingress.common.GatewayException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rate limiter's answer for one request: admitted (with a permit to release when the request is
 * done) or refused (the 429 to send and when to retry), and the quotas to report in headers, each
 * null when no limit of that kind applies.
 *
 * @param refusal the 429 to answer with; null when admitted
 * @param retryAfter when a refused caller may retry
 * @param requests the request quota to report; null when no request limit applies
 * @param tokens the token quota to report; null when no token limit applies
 * @param onRelease ends an admitted request's concurrency slot; run once, by {@link #release}
 */
public record Admission(
    GatewayException refusal, Duration retryAfter, Quota requests, Quota tokens,
    Runnable onRelease) {

  /** No limit applies: nothing to report, nothing to release. */
  static final Admission UNLIMITED = new Admission(null, Duration.ZERO, null, null, () -> {});

  /**
   * One limit as reported to the caller.
   *
   * @param reset time until the window is back to its full limit
   */
  public record Quota(long limit, long remaining, Duration reset) {}

  public Admission {
    Objects.requireNonNull(retryAfter, "retryAfter");
    onRelease = once(Objects.requireNonNull(onRelease, "onRelease"));
  }

  private static Runnable once(final Runnable release) {
    final AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release.run();
      }
    };
  }

  public boolean admitted() {
    return refusal == null;
  }

  /** Ends an admitted request's concurrency slot; idempotent. */
  public void release() {
    onRelease.run();
  }
}
