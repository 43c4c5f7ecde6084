package dev.tiergate.ingress.limits;

import java.time.Duration;
import java.time.Instant;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Writes a request's quotas as OpenAI's {@code x-ratelimit-*} headers (reset as a Go-style duration,
 * e.g. {@code 1s}, {@code 6m0s}) and, on the Anthropic API, also as Anthropic's {@code
 * anthropic-ratelimit-*} headers (reset as an RFC 3339 instant). A limit that does not apply to the
 * caller gets no headers; a refusal adds {@code Retry-After} in whole seconds.
 */
public final class RateLimitHeaders {

  static final String RETRY_AFTER = "retry-after";

  private RateLimitHeaders() {}

  public static void apply(
      final HttpServerResponse http, final Admission admission, final boolean anthropic,
      final Instant now) {
    trio(http, "requests", admission.requests(), anthropic, now);
    trio(http, "tokens", admission.tokens(), anthropic, now);
    if (!admission.admitted()) {
      http.header(RETRY_AFTER, Long.toString(retryAfterSeconds(admission.retryAfter())));
    }
  }

  private static void trio(
      final HttpServerResponse http, final String kind, final Admission.Quota quota,
      final boolean anthropic, final Instant now) {
    if (quota == null) {
      return;
    }
    http.header("x-ratelimit-limit-" + kind, Long.toString(quota.limit()));
    http.header("x-ratelimit-remaining-" + kind, Long.toString(quota.remaining()));
    http.header("x-ratelimit-reset-" + kind, goDuration(quota.reset()));
    if (anthropic) {
      http.header("anthropic-ratelimit-" + kind + "-limit", Long.toString(quota.limit()));
      http.header("anthropic-ratelimit-" + kind + "-remaining", Long.toString(quota.remaining()));
      http.header("anthropic-ratelimit-" + kind + "-reset", rfc3339(now.plus(quota.reset())));
    }
  }

  /** Whole seconds, rounded up, at least 1. */
  static long retryAfterSeconds(final Duration retryAfter) {
    final long millis = retryAfter.toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  /** The instant rounded up to the second, e.g. {@code 2026-01-01T00:01:00Z}. */
  static String rfc3339(final Instant instant) {
    final Instant whole = Instant.ofEpochSecond(instant.getEpochSecond());
    return (whole.equals(instant) ? whole : whole.plusSeconds(1)).toString();
  }

  /**
   * A duration as Go prints it, to the millisecond: {@code 0s}, {@code 850ms}, {@code 1.5s}, {@code
   * 59s}, {@code 1m0.5s}, {@code 6m0s}, {@code 1h0m0s}.
   */
  static String goDuration(final Duration duration) {
    final long millis = Math.max(0, duration.toMillis());
    if (millis == 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    final long hours = millis / 3_600_000;
    final long minutes = millis / 60_000 % 60;
    final long secondsMillis = millis % 60_000;
    final StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    text.append(secondsMillis / 1000);
    final long fraction = secondsMillis % 1000;
    if (fraction != 0) {
      String digits = String.format(java.util.Locale.ROOT, "%03d", fraction);
      while (digits.endsWith("0")) {
        digits = digits.substring(0, digits.length() - 1);
      }
      text.append('.').append(digits);
    }
    return text.append('s').toString();
  }
}
