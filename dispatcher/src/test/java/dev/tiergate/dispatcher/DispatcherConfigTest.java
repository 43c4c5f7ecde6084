package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.DispatcherConfig.METRICS_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DispatcherConfigTest {

  private static Map<String, String> env(final String... pairs) {
    final Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    env.put("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081");
    env.put("TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://127.0.0.1:9000/v1");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void appliesDocumentedDefaults() {
    final DispatcherConfig config = DispatcherConfig.fromEnv(env());

    assertThat(config.groupId()).isEqualTo("tiergate-dispatcher");
    assertThat(config.maxInFlight()).isEqualTo(256);
    assertThat(config.http().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.retry().maxRetries()).isEqualTo(2);
    assertThat(config.providers())
        .containsExactly(
            Map.entry(
                "openai",
                new ProviderEndpoint(
                    "openai", URI.create("http://127.0.0.1:9000/v1"), Optional.empty(), ProviderFormat.OPENAI)));
    assertThat(config.metricsHost()).isEqualTo("0.0.0.0");
  }

  @Test
  void readsProvidersWithKeysFormatsAndDashedNames() {
    final DispatcherConfig config =
        DispatcherConfig.fromEnv(
            env(
                "TIERGATE_PROVIDER_OPENAI_API_KEY", "sk-live-1",
                "TIERGATE_PROVIDER_TOGETHER_AI_BASE_URL", "http://127.0.0.1:9001/v1",
                "TIERGATE_PROVIDER_TOGETHER_AI_FORMAT", "OpenAI",
                "TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "8"));

    assertThat(config.providers()).containsOnlyKeys("openai", "together-ai");
    assertThat(config.providers().get("openai").apiKey()).contains("sk-live-1");
    assertThat(config.providers().get("together-ai").format()).isEqualTo(ProviderFormat.OPENAI);
    assertThat(config.maxInFlight()).isEqualTo(8);
  }

  /**
   * A stream keeps its place for its whole length, so a cap below what one tenant may have in
   * flight queued streams in front of their provider calls (docs/benchmarks.md, issue 17).
   */
  @Test
  void servesAtOnceByDefaultAsManyRequestsAsOneTenantMayHaveInFlight() {
    final DispatcherConfig config = DispatcherConfig.fromEnv(env());

    assertThat(config.maxInFlight()).isGreaterThanOrEqualTo(config.guards().maxConcurrentPerTenant());
  }

  @Test
  void metricsPortDefaultsToAFreePortAndMinusOneTurnsItOff() {
    assertThat(DispatcherConfig.fromEnv(env()).metricsPort()).isZero();
    assertThat(DispatcherConfig.fromEnv(env(METRICS_PORT.name(), "9091")).metricsPort())
        .isEqualTo(9091);
    assertThat(DispatcherConfig.fromEnv(env(METRICS_PORT.name(), "-1")).metricsPort())
        .isEqualTo(DispatcherConfig.NO_METRICS_PORT);
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env(METRICS_PORT.name(), "-2")))
        .hasMessageContaining("METRICS_PORT");
  }

  @Test
  void neverPrintsApiKeys() {
    final DispatcherConfig config = DispatcherConfig.fromEnv(env("TIERGATE_PROVIDER_OPENAI_API_KEY", "sk-live-1"));

    assertThat(config.toString()).doesNotContain("sk-live-1").contains("<redacted>");
  }

  @Test
  void failsFastOnBadValues() {
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "zero")))
        .hasMessageContaining("TIERGATE_DISPATCHER_MAX_IN_FLIGHT");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_PROVIDER_ACME_API_KEY", "k")))
        .hasMessageContaining("TIERGATE_PROVIDER_ACME_BASE_URL");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_PROVIDER_OPENAI_FORMAT", "soap")))
        .hasMessageContaining("soap");
    final Map<String, String> noProvider = env();
    noProvider.remove("TIERGATE_PROVIDER_OPENAI_BASE_URL");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(noProvider)).hasMessageContaining("no provider");
  }

  @Test
  void aBadBatchLimitIsReportedUnderItsOwnName() {
    final DispatcherConfig config = DispatcherConfig.fromEnv(env());

    assertThatThrownBy(() -> new DispatcherConfig(
            config.kafka(), config.groupId(), config.maxInFlight(), config.http(), config.retry(),
            config.providers(), config.dedupCapacity(), config.closeTimeout(), 0, config.guards(),
            config.keys(), config.dedupLookback(), config.catchUpTimeout(), config.metricsPort(),
            config.metricsHost(), config.delivery()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchInFlight must be positive: 0");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT", "0")))
        .hasMessage("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT must be at least 1: 0");
  }

  @Test
  void namesTheVariableAndTheValueOfEveryBadSetting() {
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_DISPATCHER_MAX_RETRIES", "-1")))
        .hasMessage("TIERGATE_DISPATCHER_MAX_RETRIES must be at least 0: -1");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_DISPATCHER_BREAKER_OPEN_MS", "3000000000")))
        .hasMessage("TIERGATE_DISPATCHER_BREAKER_OPEN_MS is out of range 0 to 2147483647: 3000000000");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_DISPATCHER_FAULT", "crash")))
        .hasMessage("TIERGATE_DISPATCHER_FAULT is not none or halt-after-response: crash");
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(env("TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://a b")))
        .hasMessage("TIERGATE_PROVIDER_OPENAI_BASE_URL is not a URL: http://a b");
  }

  @Test
  void forcesManualCommitsAndAnIdempotentLowLatencyProducer() {
    final DispatcherConfig config =
        DispatcherConfig.fromEnv(
            env("KAFKA_ENABLE_AUTO_COMMIT", "true", "KAFKA_LINGER_MS", "50", "KAFKA_MAX_POLL_RECORDS", "10"));

    final Properties consumer = config.consumerProperties();
    final Properties producer = config.producerProperties();

    assertThat(consumer).containsEntry("enable.auto.commit", "false").containsEntry("group.id", "tiergate-dispatcher");
    assertThat(consumer).containsEntry("max.poll.records", "10").containsEntry("auto.offset.reset", "earliest");
    assertThat(producer).containsEntry("enable.idempotence", "true").containsEntry("acks", "all");
    assertThat(producer).containsEntry("linger.ms", "0");
  }

  @Test
  void transactionalProducerRetriesTurnedAwaySendsSoonUnlessTheEnvironmentSaysOtherwise() {
    assertThat(DispatcherConfig.fromEnv(env()).transactionalProducerProperties())
        .containsEntry("retry.backoff.ms", 10);
    assertThat(DispatcherConfig.fromEnv(env("KAFKA_RETRY_BACKOFF_MS", "50"))
            .transactionalProducerProperties().get("retry.backoff.ms"))
        .hasToString("50");
  }
}
