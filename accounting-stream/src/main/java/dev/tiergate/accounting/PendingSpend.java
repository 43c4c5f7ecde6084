package dev.tiergate.accounting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the pre-sum holds until its next forward: the sums per tenant × dimension value × UTC hour in
 * a map, and in a changelogged store one record per usage (its deltas along every dimension), so a
 * usage costs one store write and one changelog record, not one per dimension. Input offsets,
 * pending records and forwarded sums commit in one transaction, so exactly-once holds; after a
 * crash or a revived task the sums are rebuilt from the restored records (this is made in the
 * processor's {@code init}, which Streams calls again then).
 *
 * <p>A forward does not delete the records of the usages it summed (a tombstone each): it moves
 * the generation on, in one record, and only records of the current generation count. A usage
 * record's key is its place in its generation ({@code #0}, {@code #1}, …), so the next
 * generation overwrites the old records in place and the store holds at most as many as the
 * largest generation had. Pending sums in the format before this one ({@link SpendDeltaSerde},
 * keyed by sum) are loaded too and deleted at the first forward.
 */
final class PendingSpend {

  /** The key of the current generation's record; usage keys start with {@code #}, old sums hold '|'. */
  static final String GENERATION_KEY = "generation";

  private static final String USAGE_KEY_PREFIX = "#";
  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

  private final KeyValueStore<String, byte[]> store;
  private final Map<SumKey, SpendDelta> sums = new HashMap<>();
  private final List<String> oldSumKeys = new ArrayList<>();
  private long generation;
  private int usages;

  PendingSpend(final KeyValueStore<String, byte[]> store) {
    this.store = Objects.requireNonNull(store, "store");
    final byte[] current = store.get(GENERATION_KEY);
    generation = current == null ? 0 : SpendDeltaSerde.readGeneration(current);
    try (KeyValueIterator<String, byte[]> restored = store.all()) {
      restored.forEachRemaining(entry -> load(entry.key, entry.value));
    }
  }

  private void load(final String key, final byte[] value) {
    final byte version = SpendDeltaSerde.version(value);
    if (version == SpendDeltaSerde.VERSION_USAGE) {
      if (SpendDeltaSerde.readGeneration(value) == generation) {
        SpendDeltaSerde.readUsage(value).forEach(this::sum);
        usages = Math.max(usages, Integer.parseInt(key.substring(USAGE_KEY_PREFIX.length())) + 1);
      }
    } else if (version != SpendDeltaSerde.VERSION_GENERATION) {
      sum(SpendDeltaSerde.read(value));
      oldSumKeys.add(key);
    }
  }

  /** Adds one usage's deltas (one per dimension it has a value for; none is a no-op). */
  void add(final List<SpendDelta> deltas) {
    if (deltas.isEmpty()) {
      return;
    }
    deltas.forEach(this::sum);
    store.put(USAGE_KEY_PREFIX + usages, SpendDeltaSerde.writeUsage(generation, deltas));
    usages++;
  }

  private void sum(final SpendDelta delta) {
    sums.merge(SumKey.of(delta), delta, SpendDelta::plus);
  }

  /** How many sums are pending. */
  int keys() {
    return sums.size();
  }

  /** How many usages the pending sums hold. */
  int usages() {
    return usages;
  }

  /**
   * Every pending sum, oldest first (ties in key order: the same input forwards the same
   * sequence), and the next generation begun. Nothing is written when nothing was pending.
   */
  List<SpendDelta> drain() {
    if (sums.isEmpty() && usages == 0) {
      return List.of();
    }
    final List<Map.Entry<String, SpendDelta>> entries = new ArrayList<>(sums.size());
    sums.forEach((key, sum) -> entries.add(Map.entry(key.sortKey(), sum)));
    entries.sort(Comparator.<Map.Entry<String, SpendDelta>>comparingLong(
        entry -> entry.getValue().timestamp()).thenComparing(Map.Entry::getKey));
    generation++;
    store.put(GENERATION_KEY, SpendDeltaSerde.writeGeneration(generation));
    oldSumKeys.forEach(store::delete);
    oldSumKeys.clear();
    sums.clear();
    usages = 0;
    return entries.stream().map(Map.Entry::getValue).toList();
  }

  /**
   * What one sum is kept under: tenant, dimension, value and UTC hour as fields, hashed and
   * compared as they are, so adding a usage builds no key string (each of its deltas used to build
   * and hash one); the escaped string is made only for the sums forwarded, to sort them.
   */
  private record SumKey(String tenant, SpendDimension dimension, String value, long hour) {

    static SumKey of(final SpendDelta delta) {
      return new SumKey(delta.tenant(), delta.dimension(), delta.value(),
          Math.floorDiv(delta.timestamp(), HOUR_MILLIS));
    }

    /** The store key and the hour, e.g. {@code acme|mode|plan|493000}: ties in forwarding order. */
    String sortKey() {
      return SpendKey.storeKey(tenant, dimension, value) + "|" + hour;
    }
  }
}
