package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.runtime.PartitionTail.Start;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.stack.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A tail over a real broker, which holds an empty fetch for the consumer's whole fetch wait. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PartitionTailKafkaTest {

  private static final String TOPIC = "tiergate.tail-test";
  /** Far above the close bound, far below the fetch wait. */
  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(2);

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void closesWithinItsBoundWhileItsFetchWaitsAtTheBroker() throws Exception {
    final Properties props = PartitionTail.consumerProperties(
        KafkaSettings.of(kafka.bootstrapServers(), "http://registry.invalid"),
        Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "tail-close-test"));
    assertThat(props)
        .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            String.valueOf(PartitionTail.IDLE_FETCH_WAIT.toMillis()))
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
    assertThat(PartitionTail.IDLE_FETCH_WAIT).isGreaterThan(CLOSED_WITHIN);
    final List<String> seen = new CopyOnWriteArrayList<>();
    final PartitionTail<String> tail = PartitionTail.builder(
            new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer()),
            TOPIC, Start.end())
        .onRecord(record -> seen.add(record.value()))
        .build();
    tail.start();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, "k", "one")).get(30, TimeUnit.SECONDS);
    }
    // The consumer sends its next fetch before it hands records over, so one waits now.
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("one"));

    final long closing = System.nanoTime();
    tail.close();

    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(CLOSED_WITHIN);
    assertThat(tail.isAlive()).isFalse();
  }
}
