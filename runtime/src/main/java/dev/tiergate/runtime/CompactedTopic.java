package dev.tiergate.runtime;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * A compacted topic read or written once, for a command that runs and exits (where a service keeps
 * a {@link LiveTable} instead): {@link #read} takes the table as it stands, {@link #write} produces
 * rows and returns once the cluster has acknowledged every one.
 */
public final class CompactedTopic {

  private CompactedTopic() {}

  /**
   * The latest value per key, deleted keys left out, sorted by key: every partition read from the
   * beginning to the end it has when the read starts, committed records only, with no consumer
   * group.
   *
   * @throws IllegalStateException when the read takes longer than {@code timeout}
   */
  public static <V> SortedMap<String, V> read(
      final KafkaSettings kafka, final Topic<V> topic, final Duration timeout) {
    Objects.requireNonNull(topic, "topic");
    final SortedMap<String, V> table = new TreeMap<>();
    final KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
        PartitionTail.consumerProperties(kafka, Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
        topic.keySerde().deserializer(),
        topic.valueSerde(kafka.serdes()).deserializer());
    try {
      PartitionTail.readToEnd(consumer, topic.name(), timeout,
          record -> LiveTable.apply(table, record));
    } finally {
      // The consumer fetches ahead while it waits; nothing of it is wanted once the end is read.
      consumer.close(CloseOptions.timeout(PartitionTail.CONSUMER_CLOSE_TIMEOUT));
    }
    return table;
  }

  /**
   * Produces every row, in the map's order (a {@code null} value is a tombstone), and waits until
   * the cluster has acknowledged them all ({@code acks=all}).
   *
   * @param timeout how long each acknowledgement may take
   * @throws KafkaException when a row was refused or not acknowledged in time
   */
  public static <V> void write(
      final KafkaSettings kafka,
      final Topic<V> topic,
      final Map<String, V> rows,
      final Duration timeout) {
    Objects.requireNonNull(rows, "rows");
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(
        kafka.clientProperties(Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()))),
        topic.keySerde().serializer(),
        topic.valueSerde(kafka.serdes()).serializer())) {
      final Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
      rows.forEach((key, value) ->
          sends.put(key, producer.send(new ProducerRecord<>(topic.name(), key, value))));
      producer.flush();
      for (final Map.Entry<String, Future<RecordMetadata>> send : sends.entrySet()) {
        await(topic, send.getKey(), send.getValue(), timeout);
      }
    }
  }

  private static void await(
      final Topic<?> topic,
      final String key,
      final Future<RecordMetadata> send,
      final Duration timeout) {
    try {
      send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while writing " + key + " to " + topic, e);
    } catch (ExecutionException e) {
      throw new KafkaException("writing " + key + " to " + topic + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException(
          "writing " + key + " to " + topic + " timed out after " + timeout.toSeconds() + " s", e);
    }
  }
}
