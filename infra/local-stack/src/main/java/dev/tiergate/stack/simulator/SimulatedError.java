package dev.tiergate.stack.simulator;

import java.util.Locale;
import java.util.Optional;

/**
 * The errors the simulator can answer with, in neutral terms; each wire format renders its own body.
 * The injectable ones are chosen per request by the {@code x-sim-fail} header or by the seeded draw.
 */
enum SimulatedError {
  INVALID_REQUEST(400),
  NOT_FOUND(404),
  RATE_LIMITED(429),
  SERVER_ERROR(500),
  OVERLOADED(503);

  private final int status;

  SimulatedError(final int status) {
    this.status = status;
  }

  int status() {
    return status;
  }

  /**
   * Reads an {@code x-sim-fail} header value: a status code of an injectable error, or "none".
   *
   * @return the error, or empty for "none"
   * @throws IllegalArgumentException for anything else
   */
  static Optional<SimulatedError> fromHeader(final String value) {
    final String trimmed = value.trim().toLowerCase(Locale.ROOT);
    switch (trimmed) {
      case "none":
        return Optional.empty();
      case "429":
        return Optional.of(RATE_LIMITED);
      case "500":
        return Optional.of(SERVER_ERROR);
      case "503":
        return Optional.of(OVERLOADED);
      default:
        throw new IllegalArgumentException(
            "x-sim-fail must be 429, 500, 503 or none, not '" + value + "'");
    }
  }
}
