package dev.tiergate.stack.simulator;

import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one provider simulator behaves: where it listens, how slow it is and how often it fails. The
 * failures come from a seeded random source so a test run, and the demo stack, are reproducible.
 * Each field is one of the settings below, read from environment-style variables.
 * A copy with one field changed is {@code withField(value)}, generated with the record
 * ({@code @RecordBuilder}).
 *
 * @param rateLimitedShareOfFailures share of the failures answered 429 rather than 500
 */
@RecordBuilder
public record SimulatorConfig(
    String host,
    int port,
    Duration latency,
    Duration chunkInterval,
    int replyWords,
    double failShare,
    double rateLimitedShareOfFailures,
    Duration retryAfter,
    long seed) implements SimulatorConfigBuilder.With {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_SEED = 42L;

  public static final Setting<String> HOST = Setting.text("SIMULATOR_HOST")
      .withDefault(DEFAULT_HOST)
      .withDescription("interface to bind; another only when the simulator must be reachable from"
          + " another host");
  public static final Setting<Integer> PORT = Setting.port("SIMULATOR_PORT").withDefault(0)
      .withDescription("port to bind; 0 picks a free one");
  public static final Setting<Duration> LATENCY = Setting.millis("SIMULATOR_LATENCY_MS")
      .withDefault(Duration.ZERO).withDescription("added before every answer");
  public static final Setting<Duration> CHUNK_INTERVAL =
      Setting.millis("SIMULATOR_CHUNK_INTERVAL_MS").withDefault(Duration.ZERO)
          .withDescription("added between streamed chunks");
  public static final Setting<Integer> REPLY_WORDS = Setting.integer("SIMULATOR_REPLY_WORDS")
      .withDefault(0).atLeast(0)
      .withDescription("length in words of every text reply, padded with filler (a longer stream:"
          + " OpenAI's format sends three words a chunk); 0 lets each prompt's hash pick a short"
          + " one");
  public static final Setting<Double> FAIL_SHARE = Setting.decimal("SIMULATOR_FAIL_SHARE")
      .withDefault(0.0)
      .withDescription("share of well-formed calls, 0 to 1, answered with a simulated failure");
  public static final Setting<Double> RATE_LIMITED_SHARE =
      Setting.decimal("SIMULATOR_RATE_LIMITED_SHARE").withDefault(0.5)
          .withDescription("share of those failures answered 429 rather than 500");
  public static final Setting<Duration> RETRY_AFTER = Setting.millis("SIMULATOR_RETRY_AFTER_MS")
      .withDefault(Duration.ofSeconds(1)).withDescription("the `Retry-After` a 429 advertises");
  public static final Setting<Long> SEED = Setting.longInteger("SIMULATOR_SEED")
      .withDefault(DEFAULT_SEED).withDescription("seed of the failure draws");

  /** Every setting, in the order of the README's table. */
  public static final List<Setting<?>> SETTINGS = List.of(
      HOST, PORT, LATENCY, CHUNK_INTERVAL, REPLY_WORDS, FAIL_SHARE, RATE_LIMITED_SHARE, RETRY_AFTER,
      SEED);

  public SimulatorConfig {
    Objects.requireNonNull(host, "host");
    Settings.requirePort(port, "port");
    Settings.requireNotNegative(latency, "latency");
    Settings.requireNotNegative(chunkInterval, "chunkInterval");
    Settings.requireNotNegative(retryAfter, "retryAfter");
    Settings.requireNotNegative(replyWords, "replyWords");
    requireShare(failShare, "failShare");
    requireShare(rateLimitedShareOfFailures, "rateLimitedShareOfFailures");
  }

  /** A fast, never-failing simulator on a free loopback port: what most tests want. */
  public static SimulatorConfig defaults() {
    return fromEnv(Map.of());
  }

  /** Reads the settings from environment-style variables; every one is optional. */
  public static SimulatorConfig fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    return new SimulatorConfig(
        settings.get(HOST),
        settings.get(PORT),
        settings.get(LATENCY),
        settings.get(CHUNK_INTERVAL),
        settings.get(REPLY_WORDS),
        settings.get(FAIL_SHARE),
        settings.get(RATE_LIMITED_SHARE),
        settings.get(RETRY_AFTER),
        settings.get(SEED));
  }

  /** Fails the given share of calls, split between 429 and 500 as {@code rateLimitedShare} says. */
  public SimulatorConfig withFailures(
      final double newFailShare, final double rateLimitedShare, final long newSeed) {
    return with(config -> config.failShare(newFailShare)
        .rateLimitedShareOfFailures(rateLimitedShare).seed(newSeed));
  }

  private static void requireShare(final double value, final String name) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
    }
  }
}
