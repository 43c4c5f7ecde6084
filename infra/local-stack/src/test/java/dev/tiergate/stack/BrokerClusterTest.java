package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three broker JVMs on this machine: replicated topics, and writes that survive a SIGKILLed node. */
class BrokerClusterTest {

  private static final String TOPIC = "cluster-test";

  @TempDir static Path dir;
  private static BrokerCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = BrokerCluster.start(dir, 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void topicsGetThreeReplicasAndNeedTwoInSync() throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("replicated", Optional.of(3), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
      final TopicDescription topic =
          admin.describeTopics(List.of("replicated")).allTopicNames().get().get("replicated");
      assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
      final ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      assertThat(admin.describeConfigs(List.of(broker)).all().get().get(broker)
          .get("min.insync.replicas").value()).isEqualTo("2");
    }
  }

  @Test
  void acknowledgedWritesSurviveAKilledNode() throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(3), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer = producer()) {
      send(producer, 0, 100);
      cluster.kill(0);
      send(producer, 100, 200);
    }
    assertThat(readAll()).hasSize(200);

    cluster.start(0);
    cluster.awaitNodes(3, Duration.ofSeconds(90));
  }

  private static void send(final KafkaProducer<String, String> producer, final int from, final int to)
      throws Exception {
    final List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (int i = from; i < to; i++) {
      acks.add(producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)));
    }
    for (final Future<RecordMetadata> ack : acks) {
      ack.get(60, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<String, String> producer() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll() {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-test-reader");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    final List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < 200 && System.nanoTime() < deadline) {
        final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        records.forEach(record -> values.add(record.value()));
      }
    }
    return values;
  }
}
