package dev.tiergate.stack.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How one provider simulator behaves: where it listens, how slow it is and how often it fails. The
 * failures come from a seeded random source so a test run, and the demo stack, are reproducible.
 *
 * @param host interface to bind; {@code 127.0.0.1} unless the simulator must be reachable from
 *     another host (env {@code SIMULATOR_HOST})
 * @param port port to bind, 0 for a free one (env {@code SIMULATOR_PORT}, default 0)
 * @param latency added before every answer (env {@code SIMULATOR_LATENCY_MS}, default 0)
 * @param chunkInterval added between streamed chunks (env {@code SIMULATOR_CHUNK_INTERVAL_MS},
 *     default 0)
 * @param replyWords length in words of every text reply, the filler padding it out (env {@code
 *     SIMULATOR_REPLY_WORDS}); 0, the default, lets each prompt's hash choose a short one. A
 *     longer reply makes a longer stream: OpenAI's format sends three words per chunk
 * @param failShare share of well-formed calls, 0 to 1, answered with a simulated failure (env
 *     {@code SIMULATOR_FAIL_SHARE}, default 0)
 * @param rateLimitedShareOfFailures share of those failures answered 429 rather than 500 (env
 *     {@code SIMULATOR_RATE_LIMITED_SHARE}, default 0.5)
 * @param retryAfter the {@code Retry-After} a 429 advertises (env {@code SIMULATOR_RETRY_AFTER_MS},
 *     default 1000)
 * @param seed seed of the failure draws (env {@code SIMULATOR_SEED}, default 42)
 */
public record SimulatorConfig(
    String host,
    int port,
    Duration latency,
    Duration chunkInterval,
    int replyWords,
    double failShare,
    double rateLimitedShareOfFailures,
    Duration retryAfter,
    long seed) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_SEED = 42L;

  public SimulatorConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(chunkInterval, "chunkInterval");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    requireNotNegative(latency, "latency");
    requireNotNegative(chunkInterval, "chunkInterval");
    if (replyWords < 0) {
      throw new IllegalArgumentException("replyWords must not be negative: " + replyWords);
    }
    requireNotNegative(retryAfter, "retryAfter");
    requireShare(failShare, "failShare");
    requireShare(rateLimitedShareOfFailures, "rateLimitedShareOfFailures");
  }

  /** A fast, never-failing simulator on a free loopback port: what most tests want. */
  public static SimulatorConfig defaults() {
    return new SimulatorConfig(
        DEFAULT_HOST, 0, Duration.ZERO, Duration.ZERO, 0, 0.0, 0.5, Duration.ofSeconds(1),
        DEFAULT_SEED);
  }

  /** Reads the settings from environment-style variables; every one is optional. */
  public static SimulatorConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    final SimulatorConfig d = defaults();
    return new SimulatorConfig(
        env.getOrDefault("SIMULATOR_HOST", d.host()),
        (int) longOf(env, "SIMULATOR_PORT", d.port()),
        Duration.ofMillis(longOf(env, "SIMULATOR_LATENCY_MS", 0)),
        Duration.ofMillis(longOf(env, "SIMULATOR_CHUNK_INTERVAL_MS", 0)),
        (int) longOf(env, "SIMULATOR_REPLY_WORDS", d.replyWords()),
        doubleOf(env, "SIMULATOR_FAIL_SHARE", d.failShare()),
        doubleOf(env, "SIMULATOR_RATE_LIMITED_SHARE", d.rateLimitedShareOfFailures()),
        Duration.ofMillis(longOf(env, "SIMULATOR_RETRY_AFTER_MS", d.retryAfter().toMillis())),
        longOf(env, "SIMULATOR_SEED", d.seed()));
  }

  public SimulatorConfig withPort(final int newPort) {
    return new SimulatorConfig(
        host, newPort, latency, chunkInterval, replyWords,
        failShare, rateLimitedShareOfFailures, retryAfter, seed);
  }

  public SimulatorConfig withLatency(final Duration newLatency) {
    return new SimulatorConfig(
        host, port, newLatency, chunkInterval, replyWords,
        failShare, rateLimitedShareOfFailures, retryAfter, seed);
  }

  public SimulatorConfig withChunkInterval(final Duration newInterval) {
    return new SimulatorConfig(
        host, port, latency, newInterval, replyWords,
        failShare, rateLimitedShareOfFailures, retryAfter, seed);
  }

  /** Pads every text reply to {@code words} words (0: a short, hash-chosen length). */
  public SimulatorConfig withReplyWords(final int words) {
    return new SimulatorConfig(
        host, port, latency, chunkInterval, words,
        failShare, rateLimitedShareOfFailures, retryAfter, seed);
  }

  /** Fails the given share of calls, split between 429 and 500 as {@code rateLimitedShare} says. */
  public SimulatorConfig withFailures(
      final double newFailShare, final double rateLimitedShare, final long newSeed) {
    return new SimulatorConfig(
        host, port, latency, chunkInterval, replyWords,
        newFailShare, rateLimitedShare, retryAfter, newSeed);
  }

  public SimulatorConfig withRetryAfter(final Duration newRetryAfter) {
    return new SimulatorConfig(
        host, port, latency, chunkInterval, replyWords,
        failShare, rateLimitedShareOfFailures, newRetryAfter, seed);
  }

  private static long longOf(final Map<String, String> env, final String name, final long fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a whole number: " + value, e);
    }
  }

  private static double doubleOf(
      final Map<String, String> env, final String name, final double fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: " + value, e);
    }
  }

  private static void requireNotNegative(final Duration value, final String name) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }

  private static void requireShare(final double value, final String name) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
    }
  }
}
