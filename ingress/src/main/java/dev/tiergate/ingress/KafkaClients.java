package dev.tiergate.ingress;

import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.LimitCounts;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.StoredResponse;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real Kafka clients of the ingress. Our defaults come first so {@code KAFKA_*} settings can
 * override them; serdes are always the topic's own, passed in explicitly.
 */
final class KafkaClients {

  /** Publishing runs off the event loop, but a missing cluster should still fail a request fast. */
  static final int MAX_BLOCK_MS = 5_000;
  /** One produce request's wait for the broker (generous: a loaded broker can stall seconds). */
  static final int REQUEST_TIMEOUT_MS = 5_000;
  /** How long a request may wait in the producer in all, retries included, before a 503. */
  static final int DELIVERY_TIMEOUT_MS = 10_000;

  private KafkaClients() {}

  static Producer<String, ChatRequest> requestProducer(
      final KafkaSettings kafka, final SerdeFactory serdes) {
    // A request the broker does not take fails with 503 within seconds, whether it waits for
    // metadata inside send() or sits in the buffer after it: with the default two minutes the
    // caller would see its reply timeout (504) instead. A request record larger than the request
    // limit is refused with 413 (ReplyCorrelator), so every request published also fits once
    // routed (BusLimits).
    return producer(kafka, serdes, Topics.REQUESTS, "tiergate-ingress-requests", "all", Map.of(
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        String.valueOf(BusLimits.MAX_REQUEST_RECORD_BYTES)));
  }

  /** Publishes this instance's rate-limit counts: small, frequent, best effort (the next replaces). */
  static Producer<String, LimitCounts> limitCountsProducer(
      final KafkaSettings kafka, final SerdeFactory serdes) {
    return producer(
        kafka, serdes, Topics.LIMIT_COUNTS, "tiergate-ingress-limit-counts", "1", Map.of());
  }

  /** Publishes cancels of abandoned requests: small, best effort, never blocking a request long. */
  static Producer<String, CancelEvent> cancelProducer(
      final KafkaSettings kafka, final SerdeFactory serdes) {
    return producer(kafka, serdes, Topics.CANCELS, "tiergate-ingress-cancels", "all", Map.of());
  }

  /** Stores answered Responses turns and tombstones of deleted ones (acks from all replicas). */
  static Producer<String, StoredResponse> storedResponseProducer(
      final KafkaSettings kafka, final SerdeFactory serdes) {
    return producer(
        kafka, serdes, Topics.STORED_RESPONSES, "tiergate-ingress-stored-responses", "all", Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(BusLimits.MAX_RECORD_BYTES)));
  }

  /**
   * A producer of the ingress for one topic: sent at once (linger 0), and bounded everywhere a
   * request could wait (metadata, one produce request, delivery in all).
   */
  private static <V> Producer<String, V> producer(
      final KafkaSettings kafka, final SerdeFactory serdes, final Topic<V> topic,
      final String clientId, final String acks, final Map<String, String> extra) {
    final Map<String, String> settings = new HashMap<>(extra);
    settings.put(ProducerConfig.ACKS_CONFIG, acks);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK_MS));
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT_MS));
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT_MS));
    settings.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return new KafkaProducer<>(
        withDefaults(kafka, settings),
        topic.keySerde().serializer(),
        topic.valueSerde(serdes).serializer());
  }

  /** Sends undecodable replies, as the bytes they came in, to a dead-letter topic. */
  static Producer<byte[], byte[]> deadLetterProducer(final KafkaSettings kafka) {
    final Properties props =
        withDefaults(
            kafka,
            Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK_MS),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(BusLimits.MAX_RECORD_BYTES),
                ProducerConfig.CLIENT_ID_CONFIG, "tiergate-ingress-dead-letters"));
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A tail's consumer (group-less, never committing): the listener assigns partitions itself; it
   * reads committed records only.
   */
  static <V> Consumer<String, V> replyConsumer(
      final KafkaSettings kafka, final Topic<V> topic, final SerdeFactory serdes) {
    // The dispatcher writes a response in one transaction with its usage: a reply is final only
    // once committed (an aborted one is served again). Chunks are written outside transactions,
    // so reading them committed-only costs nothing.
    return new KafkaConsumer<>(tailProperties(kafka, topic, Map.of()),
        topic.keySerde().deserializer(), topic.valueSerde(serdes).deserializer());
  }

  /** A reply tail's consumer properties, with {@code extra} settings over them. */
  private static Properties tailProperties(
      final KafkaSettings kafka, final Topic<?> topic, final Map<String, String> extra) {
    final Map<String, String> settings = new HashMap<>(extra);
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tiergate-ingress-" + topic.name());
    return PartitionTail.consumerProperties(kafka, settings);
  }

  /**
   * How long the rate limiter's reader of {@code tiergate.usage} lets the broker hold a fetch for
   * {@link #USAGE_FETCH_MIN_BYTES}: token counts may lag usage by this much. Waking on every
   * dispatcher transaction made it one fetch per two or three requests (docs/benchmarks.md).
   */
  static final int USAGE_FETCH_WAIT_MS = 1_000;
  /** More usage than a second holds at a few hundred requests a second; a backlog fills it at once. */
  static final int USAGE_FETCH_MIN_BYTES = 64 * 1024;

  /**
   * The rate limiter's reader of {@code tiergate.usage} (token counts): a tail's consumer that
   * reads in batches of up to {@link #USAGE_FETCH_WAIT_MS}, not on every committed transaction.
   */
  static Consumer<String, UsageEvent> limitUsageConsumer(
      final KafkaSettings kafka, final SerdeFactory serdes) {
    return new KafkaConsumer<>(limitUsageProperties(kafka),
        Topics.USAGE.keySerde().deserializer(), Topics.USAGE.valueSerde(serdes).deserializer());
  }

  static Properties limitUsageProperties(final KafkaSettings kafka) {
    return tailProperties(kafka, Topics.USAGE, Map.of(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(USAGE_FETCH_WAIT_MS),
        ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(USAGE_FETCH_MIN_BYTES)));
  }

  /**
   * A compacted topic as a table, over a tail's consumer: the table assigns partitions and reads
   * them all.
   */
  static <V> LiveTable<V> table(
      final KafkaSettings kafka, final Topic<V> topic, final SerdeFactory serdes) {
    return new LiveTable<>(
        new KafkaConsumer<>(
            PartitionTail.consumerProperties(kafka, Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "tiergate-ingress-table-" + topic.name())),
            topic.keySerde().deserializer(), topic.valueSerde(serdes).deserializer()),
        topic.name());
  }

  private static Properties withDefaults(
      final KafkaSettings kafka, final Map<String, String> defaults) {
    final Properties props = new Properties();
    props.putAll(defaults);
    props.putAll(kafka.clientProperties(Map.of()));
    return props;
  }
}
