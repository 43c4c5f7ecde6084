package dev.tiergate.dispatcher.provider;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a provider asked us to wait: OpenAI's {@code retry-after-ms} first, then the
 * standard {@code Retry-After} in seconds or as an HTTP date.
 */
final class RetryAfter {

  private RetryAfter() {}

  static Optional<Duration> parse(final HttpHeaders headers) {
    final Optional<Duration> millis = number(headers.get("retry-after-ms")).map(RetryAfter::ofMillis);
    return millis.isPresent() ? millis : parseRetryAfter(headers.get("retry-after"), Instant.now());
  }

  static Optional<Duration> parseRetryAfter(final String value, final Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    final Optional<Double> seconds = number(value);
    if (seconds.isPresent()) {
      return Optional.of(ofMillis(seconds.get() * 1000));
    }
    try {
      final Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Double> number(final String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      final double parsed = Double.parseDouble(value.trim());
      return parsed >= 0 && Double.isFinite(parsed) ? Optional.of(parsed) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Duration ofMillis(final double millis) {
    return Duration.ofMillis((long) Math.ceil(millis));
  }
}
