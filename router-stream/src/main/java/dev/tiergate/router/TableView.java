package dev.tiergate.router;

import java.util.Map;

/**
 * An in-memory view of a global table that its update step ({@link GlobalTableProcessor}) keeps in
 * step with the store: written by Streams' global thread, read by the stream threads.
 */
interface TableView<V> {

  /** A record changed; a null value (tombstone) removes the key. */
  void update(String key, V value);

  /** The whole table, e.g. after Streams restored the store from its topic. */
  void replaceAll(Map<String, V> table);
}
