package dev.tiergate.stack.simulator;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-request overrides of the simulator's behaviour, read from {@code x-sim-*} headers so a test can
 * force one call to be slow, fail or break off mid-stream without reconfiguring the simulator.
 *
 * @param failureForced whether the {@code x-sim-fail} header decided this call's fate
 * @param forcedFailure the header's failure, {@code null} for "none" or when not forced
 * @param abortAfterEvents stream events to send before dropping the connection, or -1 for never
 */
record RequestControls(
    Duration latency,
    Duration chunkInterval,
    boolean failureForced,
    SimulatedError forcedFailure,
    int abortAfterEvents) {

  static final String LATENCY_HEADER = "x-sim-latency-ms";
  static final String FAIL_HEADER = "x-sim-fail";
  static final String CHUNK_INTERVAL_HEADER = "x-sim-chunk-interval-ms";
  static final String ABORT_HEADER = "x-sim-stream-abort-after";

  private static final long MAX_DELAY_MS = 600_000L;

  /**
   * Reads the overrides, falling back to the simulator's settings.
   *
   * @throws IllegalArgumentException when a header has an unusable value
   */
  static RequestControls from(final HttpHeaders headers, final SimulatorConfig config) {
    final String fail = headers.get(FAIL_HEADER);
    final String abort = headers.get(ABORT_HEADER);
    return new RequestControls(
        delay(headers, LATENCY_HEADER, config.latency()),
        delay(headers, CHUNK_INTERVAL_HEADER, config.chunkInterval()),
        fail != null,
        fail == null ? null : SimulatedError.fromHeader(fail).orElse(null),
        abort == null ? -1 : (int) number(ABORT_HEADER, abort, Integer.MAX_VALUE));
  }

  /** The failure for this call: the header's decision when present, else the next seeded draw. */
  Optional<SimulatedError> failure(final FaultInjector faults) {
    return failureForced ? Optional.ofNullable(forcedFailure) : faults.next();
  }

  private static Duration delay(
      final HttpHeaders headers, final String name, final Duration fallback) {
    final String value = headers.get(name);
    return value == null ? fallback : Duration.ofMillis(number(name, value, MAX_DELAY_MS));
  }

  private static long number(final String name, final String value, final long max) {
    final long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'", e);
    }
    if (parsed < 0 || parsed > max) {
      throw new IllegalArgumentException(name + " must be between 0 and " + max);
    }
    return parsed;
  }
}
