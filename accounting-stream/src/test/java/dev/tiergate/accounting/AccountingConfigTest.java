package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.accounting.batch.BatchConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class AccountingConfigTest {

  private static final Map<String, String> REQUIRED = Map.of(
      "KAFKA_BOOTSTRAP_SERVERS", "broker:9092", "SCHEMA_REGISTRY_URL", "http://registry:8081");

  @Test
  void batchProgressIdlesInLongerPollsThanAccountingWhoseCommitsHoldBackSpend() {
    assertThat(BatchConfig.fromEnv(REQUIRED).streamsProperties())
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, 500L);
    assertThat(AccountingConfig.fromEnv(REQUIRED).streamsProperties())
        .doesNotContainKey(StreamsConfig.POLL_MS_CONFIG);

    final Map<String, String> env = new HashMap<>(REQUIRED);
    env.put("KAFKA_POLL_MS", "50");
    assertThat(BatchConfig.fromEnv(env).streamsProperties())
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "50");
  }

  @Test
  void appliesDocumentedDefaults() {
    final AccountingConfig config = AccountingConfig.fromEnv(REQUIRED);

    assertThat(config.applicationId()).isEqualTo("tiergate-accounting");
    assertThat(config.port()).isEqualTo(8083);
    assertThat(config.stateDir()).isEmpty();
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.virtualKeys()).isEmpty();
  }

  @Test
  void theDemoKeyExistsOnlyInDemoModeWithoutKeysOfItsOwn() {
    final Map<String, String> demo = new HashMap<>(REQUIRED);
    demo.put("TIERGATE_DEMO", "true");
    final Map<String, String> demoWithKeys = new HashMap<>(demo);
    demoWithKeys.put("TIERGATE_VIRTUAL_KEYS", "k=t:small");

    assertThat(AccountingConfig.fromEnv(demo).virtualKeys()).isEqualTo(VirtualKeyTable.DEFAULT_SPEC);
    assertThat(AccountingConfig.fromEnv(demoWithKeys).virtualKeys()).isEqualTo("k=t:small");
  }

  @Test
  void readsOverridesAndPassesKafkaSettingsThrough() {
    final Map<String, String> env = new HashMap<>(REQUIRED);
    env.put("TIERGATE_ACCOUNTING_APP_ID", "acct-2");
    env.put("TIERGATE_ACCOUNTING_PORT", "0");
    env.put("TIERGATE_STATE_DIR", "state");
    env.put("TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS", "50");
    env.put("KAFKA_NUM_STREAM_THREADS", "2");

    final Properties props = AccountingConfig.fromEnv(env).streamsProperties();

    assertThat(props).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "acct-2")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("state").toString())
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50L)
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    assertThat(AccountingConfig.fromEnv(env).port()).isZero();
  }

  @Test
  void turnsTaskIdlingOffSinceEveryTaskReadsOnePartition() {
    final AccountingConfig config = AccountingConfig.fromEnv(REQUIRED);
    final Map<String, String> env = new HashMap<>(REQUIRED);
    env.put("KAFKA_MAX_TASK_IDLE_MS", "100");

    assertThat(config.streamsProperties()).containsEntry(
        StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    assertThat(AccountingConfig.fromEnv(env).streamsProperties())
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "100");
    // Idling only orders records across the partitions of one task: each sub-topology must
    // read a single topic for turning it off to change nothing.
    for (final TopologyDescription.Subtopology subtopology :
        AccountingTopology.build(TopologyFixture.SERDES, config).describe().subtopologies()) {
      assertThat(subtopology.nodes().stream()
              .filter(TopologyDescription.Source.class::isInstance)
              .flatMap(node -> ((TopologyDescription.Source) node).topicSet().stream()))
          .as("source topics of sub-topology %d", subtopology.id())
          .hasSize(1);
    }
  }

  @Test
  void batchesReadsAndWritesPerCommitIntervalInBothMoneyApps() {
    final Map<String, String> slow = new HashMap<>(REQUIRED);
    slow.put("TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS", "2000");

    // Accounting commits every 200 ms, batch progress every second; a fetch never waits longer
    // than Kafka's default 500 ms, whatever the commit interval.
    assertBatchedPerCommit(AccountingConfig.fromEnv(REQUIRED).streamsProperties(), 200L, 200);
    assertBatchedPerCommit(BatchConfig.fromEnv(REQUIRED).streamsProperties(), 1_000L, 500);
    assertBatchedPerCommit(AccountingConfig.fromEnv(slow).streamsProperties(), 2_000L, 500);
  }

  private static void assertBatchedPerCommit(
      final Properties props, final long linger, final int fetchWait) {
    assertThat(props)
        .containsEntry("producer." + ProducerConfig.LINGER_MS_CONFIG, linger)
        .containsEntry("main.consumer." + ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchWait)
        .containsEntry("main.consumer." + ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
    // The clients accept them: each property has the type its client's config expects.
    final StreamsConfig streams = new StreamsConfig(props);
    final Map<String, Object> consumer = streams.getMainConsumerConfigs("app", "consumer", 0);
    consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    assertThat(new ConsumerConfig(consumer).getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))
        .isEqualTo(fetchWait);
    final Map<String, Object> producer = streams.getProducerConfigs("producer");
    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    assertThat(new ProducerConfig(producer).getLong(ProducerConfig.LINGER_MS_CONFIG))
        .isEqualTo(linger);
  }

  @Test
  void failsFastOnMissingOrMalformedSettings() {
    assertThatThrownBy(() -> AccountingConfig.fromEnv(Map.of()))
        .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    final Map<String, String> badPort = new HashMap<>(REQUIRED);
    badPort.put("TIERGATE_ACCOUNTING_PORT", "http");
    assertThatThrownBy(() -> AccountingConfig.fromEnv(badPort))
        .hasMessageContaining("TIERGATE_ACCOUNTING_PORT");
    badPort.put("TIERGATE_ACCOUNTING_PORT", "70000");
    assertThatThrownBy(() -> AccountingConfig.fromEnv(badPort))
        .hasMessageContaining("out of range");
  }

  @Test
  void neverSharesPropertiesWithTheCaller() {
    final AccountingConfig config = AccountingConfig.fromEnv(REQUIRED);
    config.streamsProperties().put(StreamsConfig.APPLICATION_ID_CONFIG, "changed");

    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "tiergate-accounting");
  }
}
