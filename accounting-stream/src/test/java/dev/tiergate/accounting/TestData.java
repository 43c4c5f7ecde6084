package dev.tiergate.accounting;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Builders for the records the tests feed the topology. */
final class TestData {

  static final Instant AT = Instant.parse("2025-06-01T12:00:00Z");

  /**
   * The tests' pre-sum interval: advancing the driver's wall clock by it forwards what is pending,
   * so each test decides whether requests are summed one by one or together.
   */
  static final Duration PRESUM = Duration.ofMillis(1);

  private TestData() {}

  static AccountingConfig config(final Path stateDir) {
    return AccountingConfig.defaults(KafkaSettings.of("127.0.0.1:9092", "http://127.0.0.1:8081"))
        .withStateDir(stateDir)
        .withPresumInterval(PRESUM);
  }

  static Usage usage(final long input, final long cached, final long output, final long reasoning) {
    return Usage.newBuilder()
        .setInputTokens(input)
        .setCachedInputTokens(cached)
        .setOutputTokens(output)
        .setReasoningTokens(reasoning)
        .build();
  }

  static UsageEvent event(
      final String correlationId,
      final String tenant,
      final String mode,
      final String model,
      final Usage usage) {
    return UsageEvent.newBuilder()
        .setCorrelationId(correlationId)
        .setTenant(tenant)
        .setSessionId("sess_1")
        .setMode(mode)
        .setTier("balanced")
        .setModel(model)
        .setProvider(model.substring(0, model.indexOf('/')))
        .setUsage(usage)
        .setOccurredAt(AT)
        .build();
  }

  static ModelSpec model(
      final String id, final long inputPrice, final long cachedPrice, final long outputPrice) {
    return ModelSpec.newBuilder()
        .setId(id)
        .setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(id.substring(id.indexOf('/') + 1))
        .setFamily("test")
        .setInputMicrosPerMillion(inputPrice)
        .setCachedInputMicrosPerMillion(cachedPrice)
        .setOutputMicrosPerMillion(outputPrice)
        .setContextWindow(200_000)
        .build();
  }
}
