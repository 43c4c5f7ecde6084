package dev.tiergate.router;

import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a request's budget reservation is sized and how long it is held; each setting is declared
 * once below (and listed in the router's README table).
 */
public record ReservationPolicy(
    int defaultOutputTokens, Map<String, Integer> outputTokensByModel, Duration hold, Duration grace) {

  /** About one reasoning answer of a frontier model; at $10 per million output tokens, $0.01. */
  public static final int DEFAULT_OUTPUT_TOKENS = 1_024;
  /** The ingress's default reply timeout. */
  public static final Duration DEFAULT_HOLD = Duration.ofSeconds(60);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  public static final Setting<Integer> OUTPUT_TOKENS =
      Setting.integer("TIERGATE_ROUTER_OUTPUT_RESERVATION_TOKENS")
          .withDefault(DEFAULT_OUTPUT_TOKENS).atLeast(0)
          .withDescription("output tokens reserved for a request that sets no `max_tokens` (about"
              + " one reasoning answer of a frontier model)");
  public static final Setting<Map<String, Integer>> OUTPUT_MODELS =
      Setting.of("TIERGATE_ROUTER_OUTPUT_RESERVATION_MODELS", ReservationPolicy::models)
          .withDescription("per-model overrides of that reservation, e.g."
              + " `openai/gpt-5=4096,openai/gpt-5-nano=512`");
  public static final Setting<Duration> HOLD = Setting.millis("TIERGATE_ROUTER_RESERVATION_HOLD_MS")
      .withDefault(DEFAULT_HOLD).atLeast(0)
      .withDescription("how long after it was received a request without a deadline holds its"
          + " reservation (the ingress's default reply timeout)");
  public static final Setting<Duration> GRACE =
      Setting.millis("TIERGATE_ROUTER_RESERVATION_GRACE_MS").withDefault(DEFAULT_GRACE).atLeast(0)
          .withDescription("added to the deadline (or the hold): time for the usage of a call"
              + " stopped at its deadline to be booked");

  public static final List<Setting<?>> SETTINGS =
      List.of(OUTPUT_TOKENS, OUTPUT_MODELS, HOLD, GRACE);


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

  /** Reads the settings; fails fast on a malformed value. */
  public static ReservationPolicy fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    return new ReservationPolicy(
        settings.get(OUTPUT_TOKENS),
        settings.find(OUTPUT_MODELS).orElse(Map.of()),
        settings.get(HOLD),
        settings.get(GRACE));
  }

  /** {@code provider/model=tokens,...}. */
  static Map<String, Integer> models(final String value) {
    final Map<String, Integer> models = new HashMap<>();
    for (final String entry : value.split(",")) {
      final int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected provider/model=tokens: " + entry.trim());
      }
      try {
        models.put(entry.substring(0, eq).trim().toLowerCase(Locale.ROOT),
            Integer.parseInt(entry.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a token count: " + entry.trim(), e);
      }
    }
    return models;
  }
}
