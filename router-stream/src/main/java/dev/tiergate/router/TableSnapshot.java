package dev.tiergate.router;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A small global table held in memory, decoded: each change publishes a new immutable snapshot,
 * so the stream threads read it without a lock, a store read or a decode. Subclasses derive more
 * from each snapshot ({@link #published}).
 */
class TableSnapshot<V> {

  private final Map<String, V> entries = new HashMap<>();
  private volatile Map<String, V> snapshot = Map.of();

  /** The value under {@code key}, or null. */
  final V get(final String key) {
    return snapshot.get(Objects.requireNonNull(key, "key"));
  }

  /** Whether the table has no entry at all. */
  final boolean isEmpty() {
    return snapshot.isEmpty();
  }

  /**
   * A record changed; a null value (tombstone) removes the key. Written by Streams' global thread
   * ({@link GlobalTableProcessor}), read by the stream threads.
   */
  final synchronized void update(final String key, final V value) {
    if (key == null) {
      return;
    }
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(key, value);
    }
    publish();
  }

  /** The whole table, e.g. after Streams restored the store from its topic. */
  final synchronized void replaceAll(final Map<String, V> table) {
    entries.clear();
    table.forEach((key, value) -> {
      if (key != null && value != null) {
        entries.put(key, value);
      }
    });
    publish();
  }

  /** Called with each new snapshot (under the update lock), for what a subclass derives from it. */
  void published(final Map<String, V> table) {}

  private void publish() {
    final Map<String, V> next = Map.copyOf(entries);
    published(next);
    snapshot = next;
  }
}
