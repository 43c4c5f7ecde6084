package dev.tiergate.router;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a request's budget reservation is sized and how long it is held.
 *
 * <ul>
 *   <li>{@code TIERGATE_ROUTER_OUTPUT_RESERVATION_TOKENS}: output tokens reserved for a request that
 *       sets no {@code max_tokens}, default {@value #DEFAULT_OUTPUT_TOKENS} (about one reasoning
 *       answer of a frontier model; at $10 per million output tokens, $0.01);
 *   <li>{@code TIERGATE_ROUTER_OUTPUT_RESERVATION_MODELS}: per-model overrides, e.g. {@code
 *       openai/gpt-5=4096,openai/gpt-5-nano=512};
 *   <li>{@code TIERGATE_ROUTER_RESERVATION_HOLD_MS}: how long after it was received a request
 *       without a deadline holds its reservation, default 60000 (the ingress's default reply
 *       timeout);
 *   <li>{@code TIERGATE_ROUTER_RESERVATION_GRACE_MS}: added to the deadline (or the hold), time for
 *       the usage of a call stopped at its deadline to be booked, default 5000.
 * </ul>
 */
public record ReservationPolicy(
    int defaultOutputTokens, Map<String, Integer> outputTokensByModel, Duration hold, Duration grace) {

  public static final String OUTPUT_TOKENS_ENV = "TIERGATE_ROUTER_OUTPUT_RESERVATION_TOKENS";
  public static final String OUTPUT_MODELS_ENV = "TIERGATE_ROUTER_OUTPUT_RESERVATION_MODELS";
  public static final String HOLD_ENV = "TIERGATE_ROUTER_RESERVATION_HOLD_MS";
  public static final String GRACE_ENV = "TIERGATE_ROUTER_RESERVATION_GRACE_MS";
  public static final int DEFAULT_OUTPUT_TOKENS = 1_024;
  public static final Duration DEFAULT_HOLD = Duration.ofSeconds(60);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  public ReservationPolicy {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(grace, "grace");
    outputTokensByModel = Map.copyOf(outputTokensByModel);
    if (defaultOutputTokens < 0 || outputTokensByModel.values().stream().anyMatch(t -> t < 0)) {
      throw new IllegalArgumentException("output reservations must not be negative");
    }
    if (hold.isNegative() || grace.isNegative()) {
      throw new IllegalArgumentException("reservation hold and grace must not be negative");
    }
  }

  public static ReservationPolicy defaults() {
    return new ReservationPolicy(DEFAULT_OUTPUT_TOKENS, Map.of(), DEFAULT_HOLD, DEFAULT_GRACE);
  }

  /** The output tokens reserved on {@code model} when the request sets no {@code max_tokens}. */
  public int outputTokens(final String model) {
    return outputTokensByModel.getOrDefault(model.toLowerCase(Locale.ROOT), defaultOutputTokens);
  }

  public ReservationPolicy withDefaultOutputTokens(final int tokens) {
    return new ReservationPolicy(tokens, outputTokensByModel, hold, grace);
  }

  /** Reads the settings; fails fast on a value that is not a number. */
  public static ReservationPolicy fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new ReservationPolicy(
        (int) number(env, OUTPUT_TOKENS_ENV, DEFAULT_OUTPUT_TOKENS),
        models(env.get(OUTPUT_MODELS_ENV)),
        Duration.ofMillis(number(env, HOLD_ENV, DEFAULT_HOLD.toMillis())),
        Duration.ofMillis(number(env, GRACE_ENV, DEFAULT_GRACE.toMillis())));
  }

  private static long number(final Map<String, String> env, final String name, final long fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number: " + value, e);
    }
  }

  /** {@code provider/model=tokens,...}; blank means none. */
  static Map<String, Integer> models(final String value) {
    final Map<String, Integer> models = new HashMap<>();
    if (value == null || value.isBlank()) {
      return models;
    }
    for (final String entry : value.split(",")) {
      final int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            OUTPUT_MODELS_ENV + " wants provider/model=tokens pairs: " + entry.trim());
      }
      try {
        models.put(entry.substring(0, eq).trim().toLowerCase(Locale.ROOT),
            Integer.parseInt(entry.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(OUTPUT_MODELS_ENV + ": not a token count in " + entry, e);
      }
    }
    return models;
  }
}
