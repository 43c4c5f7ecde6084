package dev.tiergate.bench.load;

import java.util.Objects;

/**
 * What one measured open-loop run was asked for and did, whatever it timed: its label and asked
 * rate, how many requests it sent, how many succeeded (HTTP 200; for a stream, a complete
 * one) and failed, and the rate the generator achieved.
 */
public record OpenLoopRun(
    String label,
    int targetRate,
    long sent,
    long ok,
    long failed,
    double achievedRate) {

  public OpenLoopRun {
    Objects.requireNonNull(label, "label");
  }

  /**
   * A run that started {@code sent} requests in {@code sendNanos} nanoseconds, with their outcomes
   * in {@code tally}.
   */
  static OpenLoopRun of(final String label, final int targetRate, final long sent,
      final long sendNanos, final OpenLoop.Tally tally) {
    return new OpenLoopRun(
        label, targetRate, sent, tally.ok(), tally.failed(), sent * 1e9 / sendNanos);
  }

  /**
   * Whether the run's percentiles can be compared with another's: every request succeeded and the
   * generator kept up with the asked rate (within 5%), so no stall hid behind a slower schedule.
   */
  public boolean clean() {
    return failed == 0 && ok == sent && achievedRate >= 0.95 * targetRate;
  }
}
