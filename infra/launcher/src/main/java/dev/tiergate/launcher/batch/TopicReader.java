package dev.tiergate.launcher.batch;

import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from the beginning without a consumer group (so the CLI leaves no group
 * behind and never commits offsets), committed records only: an aborted transaction's records never
 * count as progress or results.
 */
final class TopicReader {

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaSettings kafka;
  private final SerdeFactory serdes;

  TopicReader(final KafkaSettings kafka, final SerdeFactory serdes) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
  }

  /** Every record up to the end offsets as they are when the read starts. */
  <V> void readToEnd(final Topic<V> topic, final BiConsumer<String, V> handler) {
    try (KafkaConsumer<String, V> consumer = consumer(topic)) {
      PartitionTail.readToEnd(consumer, topic.name(), record -> handle(record, handler));
    }
  }

  /**
   * Every record from the beginning and then new ones as they arrive, until {@code done} says so
   * (checked after each poll) or the deadline passes.
   *
   * @return whether {@code done} became true before the deadline
   */
  <V> boolean follow(
      final Topic<V> topic,
      final BiConsumer<String, V> handler,
      final BooleanSupplier done,
      final Instant deadline) {
    try (KafkaConsumer<String, V> consumer = consumer(topic)) {
      assignAll(consumer, topic);
      while (Instant.now().isBefore(deadline)) {
        consumer.poll(POLL).forEach(record -> handle(record, handler));
        if (done.getAsBoolean()) {
          return true;
        }
      }
      return done.getAsBoolean();
    }
  }

  private static <V> void handle(
      final ConsumerRecord<String, V> record, final BiConsumer<String, V> handler) {
    if (record.value() != null) {
      handler.accept(record.key(), record.value());
    }
  }

  private static void assignAll(final KafkaConsumer<?, ?> consumer, final Topic<?> topic) {
    final List<TopicPartition> partitions =
        consumer.partitionsFor(topic.name()).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  private <V> KafkaConsumer<String, V> consumer(final Topic<V> topic) {
    final Properties props =
        kafka.clientProperties(
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000));
    return new KafkaConsumer<>(
        props, new StringDeserializer(), topic.valueSerde(serdes).deserializer());
  }
}
