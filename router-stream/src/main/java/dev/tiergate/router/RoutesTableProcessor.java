package dev.tiergate.router;

import dev.tiergate.schemas.Route;
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
 * The routes table's update step: what a GlobalKTable does (a record replaces the rule under its
 * key, a tombstone deletes it), plus keeping the {@link RouteIndex} of models by tier in step. On
 * start the index is rebuilt from the store, which Streams has restored from the topic by then
 * (restoration writes the store directly, without this step).
 */
final class RoutesTableProcessor implements Processor<String, Route, Void, Void> {

  private final RouteIndex index;
  private final String storeName;
  private TimestampedKeyValueStore<String, Route> store;

  /** @param storeName the routes table's global store */
  RoutesTableProcessor(final RouteIndex index, final String storeName) {
    this.index = Objects.requireNonNull(index, "index");
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    final Map<String, Route> all = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<Route>> rules = store.all()) {
      while (rules.hasNext()) {
        final KeyValue<String, ValueAndTimestamp<Route>> rule = rules.next();
        if (rule.value != null) {
          all.put(rule.key, rule.value.value());
        }
      }
    }
    index.replaceAll(all);
  }

  @Override
  public void process(final Record<String, Route> record) {
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
