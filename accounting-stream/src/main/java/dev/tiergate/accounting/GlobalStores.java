package dev.tiergate.accounting;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Reads a DSL global table's store from inside a processor. The DSL keeps such stores timestamped,
 * so values come wrapped in {@link ValueAndTimestamp}; this unwraps them in one place.
 */
final class GlobalStores {

  private GlobalStores() {}

  static <V> V get(final ProcessingContext context, final String store, final String key) {
    final KeyValueStore<String, Object> kv = context.getStateStore(store);
    return unwrap(kv.get(key));
  }

  /** Every entry; the iterator is closed before returning. */
  static <V> List<KeyValue<String, V>> all(final ProcessingContext context, final String store) {
    final KeyValueStore<String, Object> kv = context.getStateStore(store);
    final List<KeyValue<String, V>> entries = new ArrayList<>();
    try (KeyValueIterator<String, Object> rows = kv.all()) {
      rows.forEachRemaining(row -> {
        final V value = unwrap(row.value);
        if (value != null) {
          entries.add(KeyValue.pair(row.key, value));
        }
      });
    }
    return entries;
  }

  @SuppressWarnings("unchecked")
  private static <V> V unwrap(final Object stored) {
    if (stored instanceof ValueAndTimestamp<?> wrapped) {
      return (V) wrapped.value();
    }
    return (V) stored;
  }
}
