package dev.tiergate.stack.simulator;

import java.util.Optional;
import java.util.Random;

/**
 * Decides which calls fail, from a seeded random source: one draw per call that has no {@code
 * x-sim-fail} header, so the same seed and the same sequence of calls give the same failures.
 */
final class FaultInjector {

  private final double failShare;
  private final double rateLimitedShare;
  private final Random random;

  FaultInjector(final SimulatorConfig config) {
    this.failShare = config.failShare();
    this.rateLimitedShare = config.rateLimitedShareOfFailures();
    this.random = new Random(config.seed());
  }

  /** The failure for the next call, or empty when it succeeds. */
  synchronized Optional<SimulatedError> next() {
    final double draw = random.nextDouble();
    if (draw >= failShare) {
      return Optional.empty();
    }
    return Optional.of(
        draw < failShare * rateLimitedShare
            ? SimulatedError.RATE_LIMITED
            : SimulatedError.SERVER_ERROR);
  }
}
