package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

  private static final Map<String, String> REQUIRED =
      Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9092", "SCHEMA_REGISTRY_URL", "http://registry:8081");

  @Test
  void appliesDocumentedDefaults() {
    final RouterConfig config = RouterConfig.fromEnv(REQUIRED);

    assertThat(config.applicationId()).isEqualTo("tiergate-router");
    assertThat(config.defaultTier()).isEqualTo("balanced");
    assertThat(config.stateDir().getFileName().toString()).isEqualTo("tiergate-streams");
    assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.kafka().bootstrapServers()).isEqualTo("broker:9092");
    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(RouterConfig.fromEnv(with("TIERGATE_ROUTER_HOST", "127.0.0.1")).httpHost()).isEqualTo("127.0.0.1");
  }

  private static Map<String, String> with(final String name, final String value) {
    final Map<String, String> env = new java.util.HashMap<>(REQUIRED);
    env.put(name, value);
    return env;
  }

  @Test
  void choosesThePredictorAndTheBackgroundCallRecogniser() {
    final RouterConfig.Policy defaults = RouterConfig.fromEnv(REQUIRED).policy();
    final RouterConfig.Policy ngram = RouterConfig.fromEnv(with("TIERGATE_ROUTER_PREDICT", "ngram")).policy();
    final RouterConfig.Policy off = RouterConfig.fromEnv(with("TIERGATE_ROUTER_PREDICT", "false")).policy();

    assertThat(defaults.predict()).isTrue();
    assertThat(defaults.embeddings()).isTrue();
    assertThat(defaults.backgroundCalls()).isTrue();
    assertThat(ngram.predict()).isTrue();
    assertThat(ngram.embeddings()).isFalse();
    assertThat(off.predict()).isFalse();
    assertThat(RouterConfig.fromEnv(with("TIERGATE_ROUTER_BACKGROUND_CALLS", "false")).policy()
        .backgroundCalls()).isFalse();
  }

  @Test
  void readsRouterVariables() {
    final Map<String, String> env = new java.util.HashMap<>(REQUIRED);
    env.put("TIERGATE_ROUTER_APP_ID", "router-b");
    env.put("TIERGATE_DEFAULT_TIER", "Frontier");
    env.put("TIERGATE_STATE_DIR", "state");
    env.put("TIERGATE_ROUTER_START_TIMEOUT_MS", "1500");

    final RouterConfig config = RouterConfig.fromEnv(env);

    assertThat(config.applicationId()).isEqualTo("router-b");
    assertThat(config.defaultTier()).isEqualTo("frontier");
    assertThat(config.stateDir()).isEqualTo(Path.of("state"));
    assertThat(config.startTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void failsFastWithoutBootstrapServers() {
    assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of("SCHEMA_REGISTRY_URL", "http://r")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void rejectsNonNumericTimeout() {
    final Map<String, String> env = new java.util.HashMap<>(REQUIRED);
    env.put("TIERGATE_ROUTER_START_TIMEOUT_MS", "soon");

    assertThatThrownBy(() -> RouterConfig.fromEnv(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TIERGATE_ROUTER_START_TIMEOUT_MS");
  }

  @Test
  void usesLowLatencyAtLeastOnceStreamsSettings() {
    final Properties props = RouterConfig.fromEnv(REQUIRED).streamsProperties();

    assertThat(props)
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
        .containsEntry("producer.linger.ms", "0")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000")
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "500")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1")
        .containsEntry(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "tiergate-router")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
  }

  @Test
  void passThroughOverridesLatencyDefaultsButNotOwnedSettings() {
    final Map<String, String> env = new java.util.HashMap<>(REQUIRED);
    env.put("KAFKA_COMMIT_INTERVAL_MS", "100");
    env.put("KAFKA_APPLICATION_ID", "sneaky");

    final RouterConfig config = RouterConfig.fromEnv(env);
    final Properties first = config.streamsProperties();
    first.put(StreamsConfig.POLL_MS_CONFIG, "999");

    assertThat(first).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    assertThat(first).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "tiergate-router");
    assertThat(config.streamsProperties()).containsEntry(StreamsConfig.POLL_MS_CONFIG, "500");
  }
}
