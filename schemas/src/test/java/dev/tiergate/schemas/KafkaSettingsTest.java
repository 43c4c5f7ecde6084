package dev.tiergate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void passesKafkaVariablesThroughAsClientProperties() {
    final KafkaSettings settings =
        KafkaSettings.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "SCHEMA_REGISTRY_URL", "http://r:8081",
                "KAFKA_SECURITY_PROTOCOL", "SSL",
                "HOME", "/ignored"));

    assertThat(settings.clientProperties())
        .containsEntry("bootstrap.servers", "b:9092")
        .containsEntry("security.protocol", "SSL")
        .hasSize(2);
    assertThat(settings.clientProperties(Map.of("linger.ms", 0))).containsEntry("linger.ms", 0);
  }

  @Test
  void aPassedThroughVariableReplacesADefaultButNotAnOverride() {
    final KafkaSettings settings = KafkaSettings.fromEnv(Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "b:9092", "SCHEMA_REGISTRY_URL", "http://r:8081",
        "KAFKA_POLL_MS", "50", "KAFKA_APPLICATION_ID", "sneaky"));

    assertThat(settings.clientProperties(
            Map.of("poll.ms", 500L, "linger.ms", 200L), Map.of("application.id", "owned")))
        .containsEntry("poll.ms", "50")
        .containsEntry("linger.ms", 200L)
        .containsEntry("application.id", "owned");
  }

  @Test
  void failsFastWithoutBootstrapServers() {
    assertThatThrownBy(() -> KafkaSettings.fromEnv(Map.of("SCHEMA_REGISTRY_URL", "http://r")))
        .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
  }
}
