package dev.tiergate.ingress.limits;

/**
 * Counts per second over a sliding minute. A count made in second {@code s} is counted until the
 * instant {@code s + 61}: between 60 and 61 seconds, never less, so no 60-second interval holds
 * more than a limit. Arrays returned are indexed from the oldest live second ({@code now - 60}).
 * Not thread-safe: its owner locks.
 */
final class LimitWindow {

  /** Seconds a count stays live, the current one included. */
  static final int SECONDS = 61;

  private final long[] seconds = new long[SECONDS];
  private final long[] counts = new long[SECONDS];

  LimitWindow() {
    java.util.Arrays.fill(seconds, Long.MIN_VALUE);
  }

  /** The first live second at {@code nowSecond}. */
  static long oldestLive(final long nowSecond) {
    return nowSecond - (SECONDS - 1);
  }

  void add(final long second, final long amount) {
    final int slot = Math.floorMod(second, SECONDS);
    if (seconds[slot] != second) {
      if (seconds[slot] > second) {
        return; // older than what the slot holds: already out of the window
      }
      seconds[slot] = second;
      counts[slot] = 0;
    }
    counts[slot] += amount;
  }

  /** Adds the live counts into {@code into} (indexed from {@link #oldestLive}). */
  void addTo(final long[] into, final long nowSecond) {
    final long oldest = oldestLive(nowSecond);
    for (int slot = 0; slot < SECONDS; slot++) {
      final long second = seconds[slot];
      if (second >= oldest && second <= nowSecond) {
        into[(int) (second - oldest)] += counts[slot];
      }
    }
  }

  /** Whether no live second has a count. */
  boolean isEmpty(final long nowSecond) {
    final long oldest = oldestLive(nowSecond);
    for (int slot = 0; slot < SECONDS; slot++) {
      if (seconds[slot] >= oldest && counts[slot] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The sum of a window array. */
  static long total(final long[] window) {
    long sum = 0;
    for (final long count : window) {
      sum += count;
    }
    return sum;
  }

  /**
   * Milliseconds from {@code nowMillis} until at least {@code amount} of the window's counts have
   * expired (the oldest go first); 0 when {@code amount <= 0}.
   */
  static long millisUntilFreed(final long[] window, final long amount, final long nowMillis) {
    if (amount <= 0) {
      return 0;
    }
    final long oldest = oldestLive(Math.floorDiv(nowMillis, 1000));
    long freed = 0;
    for (int i = 0; i < window.length; i++) {
      freed += window[i];
      if (freed >= amount) {
        return Math.max(0, (oldest + i + SECONDS) * 1000 - nowMillis);
      }
    }
    return (oldest + window.length - 1 + SECONDS) * 1000 - nowMillis;
  }

  /** Milliseconds until every count in the window has expired (the window is back to empty). */
  static long millisUntilEmpty(final long[] window, final long nowMillis) {
    return millisUntilFreed(window, total(window), nowMillis);
  }
}
