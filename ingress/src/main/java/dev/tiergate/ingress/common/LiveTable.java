package dev.tiergate.ingress.common;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted topic held in memory as a live table (key to latest value, a tombstone removes), so
 * the ingress can check keys and list models without a Streams app of its own. Unlike a reply
 * reader it starts at the beginning: the whole table is the point. Every instance reads every
 * partition, with no consumer group. The table is {@linkplain #isCaughtUp caught up} once it has
 * read every partition up to the end offsets it found at start, so an empty table is known to be
 * empty rather than not read yet.
 */
public final class LiveTable<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveTable.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<String, V> consumer;
  private final String topic;
  private final ConcurrentMap<String, V> rows = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private Map<TopicPartition, Long> endsAtStart = Map.of();
  private boolean started;

  /** A table that never changes: for a service built without the topic (tests, benchmarks). */
  public static <V> LiveTable<V> fixed(final String topic, final Map<String, V> rows) {
    final LiveTable<V> table = new LiveTable<>(null, topic);
    table.rows.putAll(rows);
    table.caughtUp.countDown();
    return table;
  }

  /**
   * @param consumer used only by this table and closed by it; null for a {@link #fixed} table
   * @param topic the compacted topic to read
   */
  public LiveTable(final Consumer<String, V> consumer, final String topic) {
    this.consumer = consumer;
    this.topic = Objects.requireNonNull(topic, "topic");
    this.thread = new Thread(this::run, "tiergate-table-" + topic);
    this.thread.setDaemon(true);
  }

  /**
   * Assigns every partition from the beginning and starts reading.
   *
   * @throws IllegalStateException when the topic does not exist
   */
  public synchronized void start() {
    if (started || closed.get() || consumer == null) {
      return;
    }
    final List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("table topic " + topic + " has no partitions; provision it");
    }
    final List<TopicPartition> partitions =
        infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    endsAtStart = Map.copyOf(consumer.endOffsets(partitions));
    started = true;
    thread.start();
    LOG.info("reading table {} ({} partitions, from the beginning)", topic, partitions.size());
  }

  private void run() {
    try {
      while (!closed.get()) {
        markIfCaughtUp();
        pollOnce();
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        LOG.error("table reader on {} woken up unexpectedly; stopped", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("table reader on {} failed; stopped", topic, e);
    } finally {
      consumer.close();
    }
  }

  /** On the reader thread (the consumer is single-threaded): every partition read to its start end. */
  private void markIfCaughtUp() {
    if (caughtUp.getCount() == 0) {
      return;
    }
    for (final Map.Entry<TopicPartition, Long> end : endsAtStart.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return;
      }
    }
    caughtUp.countDown();
    LOG.info("table {} read to its end: {} rows", topic, rows.size());
  }

  private void pollOnce() {
    try {
      for (final ConsumerRecord<String, V> record : consumer.poll(POLL_TIMEOUT)) {
        apply(record);
      }
    } catch (RecordDeserializationException e) {
      LOG.warn("skipping undecodable row at {} offset {}", e.topicPartition(), e.offset(), e);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  private void apply(final ConsumerRecord<String, V> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      rows.remove(record.key());
    } else {
      rows.put(record.key(), record.value());
    }
  }

  /** The latest value under the key; empty when absent or deleted. */
  public Optional<V> get(final String key) {
    return Optional.ofNullable(rows.get(Objects.requireNonNull(key, "key")));
  }

  /** A snapshot of the current rows. */
  public Map<String, V> snapshot() {
    return Map.copyOf(rows);
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Whether every row the topic held at start has been read (always true for a fixed table). */
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  /** Waits until {@link #isCaughtUp}; false when the wait ran out first. */
  public boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the reader runs (always true for a fixed table until closed). */
  public boolean isAlive() {
    return consumer == null ? !closed.get() : thread.isAlive();
  }

  /** Stops reading and closes the consumer. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true) || consumer == null) {
      return;
    }
    if (!started) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
