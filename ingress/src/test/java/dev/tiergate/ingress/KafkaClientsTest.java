package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  private static final KafkaSettings KAFKA = KafkaSettings.fromEnv(Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", "broker:9092", "SCHEMA_REGISTRY_URL", "http://registry:8081"));

  @Test
  void rateLimiterReadsUsageInBatchesOfUpToASecond() {
    assertThat(KafkaClients.limitUsageProperties(KAFKA))
        .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "1000")
        .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(64 * 1024))
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
        .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "tiergate-ingress-" + Topics.USAGE.name())
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }
}
