package dev.tiergate.runtime;

import dev.tiergate.schemas.settings.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that holds at most {@code capacity} entries and drops its eldest to make room: the bounded
 * memory of recent ids, answers and embeddings the services keep instead of an unbounded map. Not
 * thread-safe, like the {@link LinkedHashMap} it is.
 */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {

  private static final long serialVersionUID = 1L;

  private final int capacity;

  private BoundedMap(final int capacity, final boolean accessOrder) {
    super(16, 0.75f, accessOrder);
    this.capacity = Settings.requirePositive(capacity, "capacity");
  }

  /** Drops the entry put first; putting a key again does not make it younger. */
  public static <K, V> BoundedMap<K, V> insertionOrdered(final int capacity) {
    return new BoundedMap<>(capacity, false);
  }

  /** Drops the entry read or written longest ago: a least-recently-used cache. */
  public static <K, V> BoundedMap<K, V> leastRecentlyUsed(final int capacity) {
    return new BoundedMap<>(capacity, true);
  }

  @Override
  protected boolean removeEldestEntry(final Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
