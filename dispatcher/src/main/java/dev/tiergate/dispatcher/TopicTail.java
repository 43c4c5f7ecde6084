package dev.tiergate.dispatcher;

import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic on its own thread (a {@link PartitionTail}, started at
 * once), from a point in time (or the beginning) and then for as long as it runs, handing each
 * record to a callback. No consumer group: every dispatcher instance sees the whole topic. {@link
 * #awaitCaughtUp} says when it has read what the topic held when it started, so a caller can wait
 * for that before acting on it. A record that cannot be decoded is skipped with a warning (these
 * are derived views, not the record of truth).
 */
final class TopicTail<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

  private final Topic<V> topic;
  private final Deserializer<V> deserializer;
  private final BiConsumer<String, V> handler;
  private final PartitionTail<byte[]> tail;

  /**
   * @param from where to start: a time, or {@code Instant.EPOCH} for the beginning
   * @param handler called on the tail's thread with each key and value (null for a tombstone)
   */
  TopicTail(
      final Topic<V> topic,
      final Consumer<String, byte[]> consumer,
      final Deserializer<V> deserializer,
      final Instant from,
      final BiConsumer<String, V> handler) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
    this.handler = Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(from, "from");
    this.tail =
        PartitionTail.builder(
                consumer, topic.name(),
                from.equals(Instant.EPOCH) ? PartitionTail.Start.beginning()
                    : PartitionTail.Start.at(() -> from))
            .threadName("tiergate-tail-" + topic.name())
            .notingPositions()
            .onRecord(this::handle)
            .build();
    tail.startInBackground();
  }

  /** True once everything the topic held at start was handled. */
  boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return tail.awaitCaughtUp(timeout);
  }

  /** True when every given partition was read up to (at least) the given offset. */
  boolean hasRead(final Map<TopicPartition, Long> offsets) {
    return tail.hasRead(offsets);
  }

  @Override
  public void close() {
    tail.close();
  }

  private void handle(final ConsumerRecord<String, byte[]> record) {
    final V value;
    try {
      value = record.value() == null ? null : deserializer.deserialize(record.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      log.warn("skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
      return;
    }
    // The registry decodes whatever schema the writer used, so a record of another type decodes
    // fine and must be skipped here rather than fail the tail's thread.
    if (value != null && !topic.valueType().isInstance(value)) {
      log.warn(
          "skipping record {}-{}@{} of type {}, expected {}",
          record.topic(), record.partition(), record.offset(),
          value.getClass().getSimpleName(), topic.valueType().getSimpleName());
      return;
    }
    handler.accept(record.key(), value);
  }
}
