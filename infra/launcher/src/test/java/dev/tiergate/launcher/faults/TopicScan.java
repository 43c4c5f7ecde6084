package dev.tiergate.launcher.faults;

import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning to the end it has when called, as committed data only
 * (read_committed), in raw bytes: what a downstream reader would see, with nothing decoded that
 * could hide a bad record.
 */
final class TopicScan {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private TopicScan() {}

  static List<ConsumerRecord<byte[], byte[]>> readAll(final KafkaSettings kafka, final String topic) {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
    final Map<String, Object> overrides =
        Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
            ConsumerConfig.CLIENT_ID_CONFIG, "fault-suite-scan");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            kafka.clientProperties(overrides), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      final long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in " + DEADLINE);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** Positions past the end offset (read_committed stops at the last stable offset, then moves on). */
  private static boolean reachedEnd(
      final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }
}
