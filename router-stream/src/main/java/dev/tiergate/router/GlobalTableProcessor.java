package dev.tiergate.router;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * A global table's update step: what a GlobalKTable does (a record replaces the value under its
 * key, a tombstone deletes it), plus keeping an in-memory {@link TableSnapshot} in step (the routes'
 * {@link RouteIndex}, the models' {@link Catalogue}). On start the view is rebuilt from the store,
 * which Streams has restored from the topic by then (restoration writes the store directly,
 * without this step).
 */
final class GlobalTableProcessor<V> implements Processor<String, V, Void, Void> {

  private final TableSnapshot<V> index;
  private final String storeName;
  private TimestampedKeyValueStore<String, V> store;

  /** @param storeName the table's global store */
  GlobalTableProcessor(final TableSnapshot<V> index, final String storeName) {
    this.index = Objects.requireNonNull(index, "index");
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    final Map<String, V> all = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<V>> entries = store.all()) {
      while (entries.hasNext()) {
        final KeyValue<String, ValueAndTimestamp<V>> entry = entries.next();
        if (entry.value != null) {
          all.put(entry.key, entry.value.value());
        }
      }
    }
    index.replaceAll(all);
  }

  @Override
  public void process(final Record<String, V> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
    }
    index.update(record.key(), record.value());
  }
}
