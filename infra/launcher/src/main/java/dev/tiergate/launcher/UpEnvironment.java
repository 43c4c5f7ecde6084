package dev.tiergate.launcher;

import dev.tiergate.stack.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The environment settings {@code tiergate up} honours, for tests and demos: the simulator's own
 * ({@code SIMULATOR_LATENCY_MS}, {@code SIMULATOR_CHUNK_INTERVAL_MS}, {@code
 * SIMULATOR_REPLY_WORDS}, {@code SIMULATOR_FAIL_SHARE}, {@code SIMULATOR_RATE_LIMITED_SHARE}, {@code
 * SIMULATOR_RETRY_AFTER_MS}, {@code SIMULATOR_SEED}, {@code SIMULATOR_PORT}, {@code SIMULATOR_HOST})
 * and the ingress reply timeout {@code TIERGATE_REPLY_TIMEOUT} (ISO-8601 such as {@code PT5S}, or
 * milliseconds).
 */
final class UpEnvironment {

  static final String REPLY_TIMEOUT_ENV = "TIERGATE_REPLY_TIMEOUT";
  static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);

  private UpEnvironment() {}

  /** The stack options for this environment. */
  static TiergateStack.Options options(
      final Map<String, String> env,
      final java.nio.file.Path dataDir,
      final int ingressPort,
      final int accountingPort) {
    Objects.requireNonNull(env, "env");
    return new TiergateStack.Options(dataDir, ingressPort, accountingPort, replyTimeout(env))
        .withSimulator(SimulatorConfig.fromEnv(env));
  }

  static Duration replyTimeout(final Map<String, String> env) {
    final String value = env.get(REPLY_TIMEOUT_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_REPLY_TIMEOUT;
    }
    final String trimmed = value.trim();
    final Duration timeout;
    try {
      timeout = trimmed.toUpperCase(Locale.ROOT).startsWith("P")
          ? Duration.parse(trimmed)
          : Duration.ofMillis(Long.parseLong(trimmed));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          REPLY_TIMEOUT_ENV + " is neither ISO-8601 nor milliseconds: " + value, e);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(REPLY_TIMEOUT_ENV + " must be positive: " + value);
    }
    return timeout;
  }
}
