package dev.tiergate.bench;

import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.time.Instant;

/**
 * The usage events the accounting benchmarks feed, written once: 50 tenants, six modes, seven
 * features and three models in turn, so every spend dimension has many values and the stores many
 * keys.
 */
public final class BenchUsage {

  /** How many tenants the events are spread over. */
  public static final int TENANTS = 50;

  private static final String[] MODES = {"plan", "code", "debug", "commit-message", "ask", "build"};
  private static final String[] MODELS = {"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano"};

  private BenchUsage() {}

  /** The tenant of number {@code n}. */
  public static String tenant(final int n) {
    return "tenant-" + n;
  }

  /**
   * Event number {@code i}; the correlation id, the number of sessions it is spread over, the token
   * counts and the time are the benchmark's own.
   */
  public static UsageEvent event(
      final int i,
      final String correlationId,
      final int sessions,
      final Usage usage,
      final Instant occurredAt) {
    return UsageEvent.newBuilder()
        .setCorrelationId(correlationId)
        .setTenant(tenant(i % TENANTS))
        .setSessionId("ses_" + (i % sessions))
        .setMode(MODES[i % MODES.length])
        .setTier("balanced")
        .setFeature("feature-" + (i % 7))
        .setModel(MODELS[i % MODELS.length])
        .setProvider("openai")
        .setUsage(usage)
        .setOccurredAt(occurredAt)
        .build();
  }
}
