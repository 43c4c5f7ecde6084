package dev.tiergate.accounting;

import org.apache.kafka.streams.processor.api.ProcessingContext;
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

  /** A stored value without its timestamp wrapper. */
  @SuppressWarnings("unchecked")
  static <V> V unwrap(final Object stored) {
    if (stored instanceof ValueAndTimestamp<?> wrapped) {
      return (V) wrapped.value();
    }
    return (V) stored;
  }
}
