package dev.tiergate.accounting;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The sums a pre-summing processor holds until its next forward. The changelogged store is the
 * durable copy (input offsets, pending sums and forwarded sums commit in one transaction, so
 * exactly-once holds and a crash restores the sums); a map mirrors it so adding a delta reads
 * memory instead of deserializing the stored sum. Every change goes to both. Made in the
 * processor's {@code init}, which Streams calls again when it revives a task, so the mirror is
 * always loaded from the store as restored.
 *
 * @param <V> the summed value
 */
final class PendingSums<V> {

  private final KeyValueStore<String, V> store;
  private final BinaryOperator<V> plus;
  private final Map<String, V> sums = new HashMap<>();

  /** @param plus adds a delta (second) to a sum (first) of the same key */
  PendingSums(final KeyValueStore<String, V> store, final BinaryOperator<V> plus) {
    this.store = Objects.requireNonNull(store, "store");
    this.plus = Objects.requireNonNull(plus, "plus");
    try (KeyValueIterator<String, V> restored = store.all()) {
      restored.forEachRemaining(entry -> sums.put(entry.key, entry.value));
    }
  }

  /** Adds the delta to the key's pending sum. */
  void add(final String key, final V delta) {
    store.put(key, sums.merge(key, delta, plus));
  }

  /** How many keys have a pending sum. */
  int size() {
    return sums.size();
  }

  /**
   * Every pending sum in ascending order of {@code time}, ties in key order as the store iterates
   * (the same input forwards the same sequence), each removed from the store.
   */
  List<KeyValue<String, V>> drain(final ToLongFunction<V> time) {
    final List<KeyValue<String, V>> drained = new ArrayList<>(sums.size());
    sums.forEach((key, sum) -> drained.add(KeyValue.pair(key, sum)));
    drained.sort(Comparator.<KeyValue<String, V>>comparingLong(entry -> time.applyAsLong(entry.value))
        .thenComparing(entry -> entry.key));
    for (final KeyValue<String, V> entry : drained) {
      store.delete(entry.key);
    }
    sums.clear();
    return drained;
  }
}
