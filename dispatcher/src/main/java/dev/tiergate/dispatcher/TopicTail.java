package dev.tiergate.dispatcher;

import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic on its own thread, from a point in time (or the beginning)
 * and then for as long as it runs, handing each record to a callback. No consumer group: every
 * dispatcher instance sees the whole topic. {@link #awaitCaughtUp} says when it has read what the
 * topic held when it started, so a caller can wait for that before acting on it. A record that
 * cannot be decoded is skipped with a warning (these are derived views, not the record of truth).
 */
final class TopicTail<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

  private final Topic<V> topic;
  private final Consumer<String, byte[]> consumer;
  private final Deserializer<V> deserializer;
  private final BiConsumer<String, V> handler;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  /** Read positions after each poll, for other threads ({@link #hasRead}). */
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopping;

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
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
    this.handler = Objects.requireNonNull(handler, "handler");
    final Thread thread = new Thread(() -> run(Objects.requireNonNull(from, "from")), "tiergate-tail-" + topic.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** True once everything the topic held at start was handled. */
  boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True when every given partition was read up to (at least) the given offset. */
  boolean hasRead(final Map<TopicPartition, Long> offsets) {
    return offsets.entrySet().stream()
        .allMatch(end -> positions.getOrDefault(end.getKey(), -1L) >= end.getValue());
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      stopping = true;
      consumer.wakeup();
      try {
        if (!stopped.await(10, TimeUnit.SECONDS)) {
          log.warn("tail of {} did not stop in time", topic.name());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run(final Instant from) {
    try {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(info -> new TopicPartition(topic.name(), info.partition()))
              .toList();
      consumer.assign(partitions);
      seek(partitions, from);
      final Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
      while (!stopping) {
        consumer.poll(Duration.ofMillis(200)).forEach(this::handle);
        partitions.forEach(partition -> positions.put(partition, consumer.position(partition)));
        if (caughtUp.getCount() > 0 && reached(ends)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      log.debug("tail of {} woken to stop", topic.name());
    } catch (KafkaException e) {
      log.error("tail of {} stopped on an error", topic.name(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void seek(final List<TopicPartition> partitions, final Instant from) {
    if (from.equals(Instant.EPOCH)) {
      consumer.seekToBeginning(partitions);
      return;
    }
    final Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(partition -> times.put(partition, from.toEpochMilli()));
    final Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
    final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (final TopicPartition partition : partitions) {
      final OffsetAndTimestamp at = offsets.get(partition);
      consumer.seek(partition, at != null ? at.offset() : ends.get(partition));
    }
  }

  private boolean reached(final Map<TopicPartition, Long> ends) {
    ends.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
    return ends.isEmpty();
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
