package dev.tiergate.dispatcher.provider;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Why one provider call failed, classified so the dispatcher can decide between retrying the same
 * model, falling back to the next one in the chain, or answering with an error. Messages never
 * contain credentials.
 */
public final class ProviderFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The failure classes the retry and fallback policy distinguish. */
  public enum Kind {
    /** HTTP 429: retry (honouring Retry-After), then fall back. */
    RATE_LIMITED(true, true),
    /** HTTP 5xx or 408: retry, then fall back. */
    SERVER_ERROR(true, true),
    /** Connect failure, reset, premature close: retry, then fall back. */
    CONNECTION(true, true),
    /** No answer in time: retrying would likely pay twice, so fall back at once. */
    TIMEOUT(false, true),
    /** A 2xx answer we could not read: fall back. */
    INVALID_RESPONSE(false, true),
    /** The provider rejected the request itself (4xx other than 429): answer with the error. */
    REJECTED(false, false),
    /** The provider rejected our credentials (401/403): answer with an error, never retry. */
    UNAUTHORIZED(false, false),
    /** The request cannot be expressed for this provider; nothing was sent. */
    INVALID_REQUEST(false, false),
    /** No credential for this request at this provider: nothing was sent; another may serve. */
    NO_CREDENTIALS(false, true),
    /** The provider endpoint's circuit breaker is open: nothing was sent; fall back at once. */
    CIRCUIT_OPEN(false, true),
    /** A stream broke after deltas were published: neither retry nor fallback can undo that. */
    INTERRUPTED(false, false);

    private final boolean retryable;
    private final boolean fallbackAllowed;

    Kind(final boolean retryable, final boolean fallbackAllowed) {
      this.retryable = retryable;
      this.fallbackAllowed = fallbackAllowed;
    }
  }

  private final Kind kind;
  private final int httpStatus;
  private final Optional<Duration> retryAfter;

  public ProviderFailure(
      final Kind kind,
      final int httpStatus,
      final Optional<Duration> retryAfter,
      final String message,
      final Throwable cause) {
    super(message, cause, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.httpStatus = httpStatus;
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  public static ProviderFailure of(final Kind kind, final String message) {
    return new ProviderFailure(kind, 0, Optional.empty(), message, null);
  }

  public static ProviderFailure invalidRequest(final String message) {
    return of(Kind.INVALID_REQUEST, message);
  }

  public static ProviderFailure invalidResponse(final String message, final Throwable cause) {
    return new ProviderFailure(Kind.INVALID_RESPONSE, 0, Optional.empty(), message, cause);
  }

  /** Classifies an HTTP error status. */
  public static ProviderFailure forStatus(
      final int status, final Optional<Duration> retryAfter, final String detail) {
    final Kind kind;
    if (status == 429) {
      kind = Kind.RATE_LIMITED;
    } else if (status >= 500 || status == 408) {
      kind = Kind.SERVER_ERROR;
    } else if (status == 401 || status == 403) {
      kind = Kind.UNAUTHORIZED;
    } else {
      kind = Kind.REJECTED;
    }
    return new ProviderFailure(kind, status, retryAfter, "HTTP " + status + ": " + detail, null);
  }

  /** The same failure seen after part of a stream was already published. */
  public ProviderFailure asInterrupted() {
    return kind == Kind.INTERRUPTED
        ? this
        : new ProviderFailure(
            Kind.INTERRUPTED, httpStatus, Optional.empty(), "stream interrupted: " + getMessage(),
            this);
  }

  public Kind kind() {
    return kind;
  }

  /** The provider's HTTP status, 0 when there was no HTTP answer. */
  public int httpStatus() {
    return httpStatus;
  }

  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  public boolean retryable() {
    return kind.retryable;
  }

  public boolean fallbackAllowed() {
    return kind.fallbackAllowed;
  }
}
