package dev.tiergate.ingress.limits;

import dev.tiergate.ingress.common.GatewayException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rate limiter's answer for one request: admitted (with a permit to release when the request is
 * done) or refused (the 429 to send and when to retry), and the quotas to report in headers, each
 * null when no limit of that kind applies.
 */
public final class Admission {

  /** No limit applies: nothing to report, nothing to release. */
  static final Admission UNLIMITED = new Admission(null, Duration.ZERO, null, null, () -> {});

  /**
   * One limit as reported to the caller.
   *
   * @param reset time until the window is back to its full limit
   */
  public record Quota(long limit, long remaining, Duration reset) {}

  private final GatewayException refusal;
  private final Duration retryAfter;
  private final Quota requests;
  private final Quota tokens;
  private final Runnable release;
  private final AtomicBoolean released = new AtomicBoolean();

  Admission(
      final GatewayException refusal, final Duration retryAfter, final Quota requests,
      final Quota tokens, final Runnable release) {
    this.refusal = refusal;
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    this.requests = requests;
    this.tokens = tokens;
    this.release = Objects.requireNonNull(release, "release");
  }

  public boolean admitted() {
    return refusal == null;
  }

  /** The 429 to answer with; null when admitted. */
  public GatewayException refusal() {
    return refusal;
  }

  /** When a refused caller may retry. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The request quota to report; null when no request limit applies. */
  public Quota requests() {
    return requests;
  }

  /** The token quota to report; null when no token limit applies. */
  public Quota tokens() {
    return tokens;
  }

  /** Ends an admitted request's concurrency slot; idempotent. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      release.run();
    }
  }
}
