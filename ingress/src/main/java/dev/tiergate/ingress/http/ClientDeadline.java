package dev.tiergate.ingress.http;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When nobody waits for a request's answer any more: the ingress reply timeout, shortened by the
 * client's own timeout when it sends one. The official OpenAI and Anthropic SDKs send theirs as
 * {@code X-Stainless-Timeout} (seconds); any client may send {@code x-tiergate-timeout} (seconds, a
 * decimal such as {@code 2.5}). For a streamed request the deadline is for the first event; once the
 * stream runs, the reply timeout is the longest pause between two events.
 */
final class ClientDeadline {

  static final String STAINLESS_TIMEOUT = "x-stainless-timeout";
  static final String TIERGATE_TIMEOUT = "x-tiergate-timeout";
  /** Longer client timeouts are treated as this (the reply timeout caps them anyway). */
  private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(86_400);

  private ClientDeadline() {}

  /**
   * The request's deadline.
   *
   * @throws GatewayException (400) for an {@code x-tiergate-timeout} that is not a positive number
   *     of seconds; a malformed {@code X-Stainless-Timeout} (an SDK's, not the caller's) is ignored
   */
  static Instant of(final HeaderLookup headers, final Instant now, final Duration replyTimeout) {
    Objects.requireNonNull(headers, "headers");
    Duration limit = Objects.requireNonNull(replyTimeout, "replyTimeout");
    final Duration tiergate = seconds(headers.first(TIERGATE_TIMEOUT), true);
    final Duration stainless = seconds(headers.first(STAINLESS_TIMEOUT), false);
    if (tiergate != null && tiergate.compareTo(limit) < 0) {
      limit = tiergate;
    }
    if (stainless != null && stainless.compareTo(limit) < 0) {
      limit = stainless;
    }
    return now.plus(limit);
  }

  /** Null when absent (or malformed and not strict). */
  static Duration seconds(final String value, final boolean strict) {
    if (value == null) {
      return null;
    }
    try {
      final BigDecimal seconds = new BigDecimal(value);
      if (seconds.signum() <= 0) {
        throw new NumberFormatException("not positive");
      }
      final BigDecimal capped = seconds.min(MAX_SECONDS);
      return Duration.ofMillis(Math.max(1, capped.movePointRight(3).longValue()));
    } catch (NumberFormatException e) {
      if (!strict) {
        return null;
      }
      throw GatewayException.invalidRequest(
          TIERGATE_TIMEOUT,
          "'" + TIERGATE_TIMEOUT + "' must be a positive number of seconds, e.g. 30 or 2.5.");
    }
  }
}
