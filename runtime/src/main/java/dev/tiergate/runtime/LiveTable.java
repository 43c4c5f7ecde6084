package dev.tiergate.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A compacted topic held in memory as a live table (key to latest value, a tombstone removes), so
 * a service can look keys up without a Streams app of its own. Unlike a reply reader it starts at
 * the beginning: the whole table is the point. Every instance reads every partition, with no
 * consumer group (a {@link PartitionTail}). The table is {@linkplain #isCaughtUp caught up} once it
 * has read every partition up to the end offsets it found at start, so an empty table is known to
 * be empty rather than not read yet.
 */
public final class LiveTable<V> implements AutoCloseable {

  private final PartitionTail<V> tail;
  private final ConcurrentMap<String, V> rows = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A table that never changes: for a service built without the topic (tests, benchmarks). */
  public static <V> LiveTable<V> fixed(final String topic, final Map<String, V> rows) {
    Objects.requireNonNull(topic, "topic");
    final LiveTable<V> table = new LiveTable<>(null);
    table.rows.putAll(rows);
    return table;
  }

  /**
   * @param consumer used only by this table and closed by it
   * @param topic the compacted topic to read
   */
  public LiveTable(final Consumer<String, V> consumer, final String topic) {
    this(PartitionTail.builder(consumer, topic, PartitionTail.Start.beginning())
        .threadName("tiergate-table-" + topic));
  }

  private LiveTable(final PartitionTail.Builder<V> tail) {
    this.tail = tail == null ? null : tail.onRecord(record -> apply(rows, record)).build();
  }

  /**
   * Applies one record of a compacted topic to a table: the latest value per key, a tombstone
   * removes the key; a record without a key is no row.
   */
  public static <V> void apply(final Map<String, V> table, final ConsumerRecord<String, V> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      table.remove(record.key());
    } else {
      table.put(record.key(), record.value());
    }
  }

  /**
   * Assigns every partition from the beginning and starts reading.
   *
   * @throws IllegalStateException when the topic does not exist
   */
  public synchronized void start() {
    if (tail != null && !closed.get()) {
      tail.start();
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
    return tail == null || tail.isCaughtUp();
  }

  /** Waits until {@link #isCaughtUp}; false when the wait ran out first. */
  public boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return tail == null || tail.awaitCaughtUp(timeout);
  }

  /** Whether the reader runs (always true for a fixed table until closed). */
  public boolean isAlive() {
    return tail == null ? !closed.get() : tail.isAlive();
  }

  /** Stops reading and closes the consumer. Idempotent. */
  @Override
  public synchronized void close() {
    closed.set(true);
    if (tail != null) {
      tail.close();
    }
  }
}
