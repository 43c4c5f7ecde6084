package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the routing topics live, and the two things the routing commands do with them: read a
 * compacted table to its current end (no consumer group, nothing committed) and produce records,
 * waiting for every acknowledgement. The cluster comes from {@link ClusterOptions}.
 */
final class RoutingCluster {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final ClusterOptions options;

  RoutingCluster(final ClusterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  KafkaSettings settings() {
    return options.settings();
  }

  /** The table as it is now: the latest value per key, deleted keys left out, sorted by key. */
  <V> Map<String, V> read(final Topic<V> topic) {
    Objects.requireNonNull(topic, "topic");
    final KafkaSettings kafka = settings();
    final SerdeFactory serdes = kafka.serdes();
    final Properties props = new Properties();
    props.putAll(kafka.clientProperties(Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")));
    final Map<String, V> table = new TreeMap<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
        props, new StringDeserializer(), topic.valueSerde(serdes).deserializer())) {
      PartitionTail.readToEnd(consumer, topic.name(), record -> LiveTable.apply(table, record));
    }
    return table;
  }

  /** Produces every record (key → value) and waits until all are acknowledged. */
  <V> void write(final Topic<V> topic, final Map<String, V> records) {
    final KafkaSettings kafka = settings();
    final Properties props = new Properties();
    props.putAll(kafka.clientProperties(Map.of(ProducerConfig.ACKS_CONFIG, "all")));
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(
        props, new StringSerializer(), topic.valueSerde(kafka.serdes()).serializer())) {
      final Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
      records.forEach((key, value) ->
          sends.put(key, producer.send(new ProducerRecord<>(topic.name(), key, value))));
      producer.flush();
      for (final Map.Entry<String, Future<RecordMetadata>> send : sends.entrySet()) {
        await(send.getKey(), send.getValue());
      }
    }
  }

  private static void await(final String key, final Future<RecordMetadata> send) {
    try {
      send.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while writing " + key, e);
    } catch (ExecutionException e) {
      throw new KafkaException("writing " + key + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("writing " + key + " timed out after " + SEND_TIMEOUT, e);
    }
  }
}
