package dev.tiergate.dispatcher;

import dev.tiergate.runtime.BoundedMap;
import java.util.Map;
import java.util.Objects;

/**
 * Correlation ids whose {@code ChatResponse} is already on {@code tiergate.responses}, filled by a
 * {@link TopicTail} of that topic (from a lookback window at start, then live) and by this
 * instance's own sends. A request redelivered after a crash or a rebalance (its offset was not yet
 * committed) is then answered already and is skipped instead of calling the provider again. The
 * topic is the record, so this works across restarts and instances; the set is bounded, oldest
 * first out. Thread-safe.
 */
public final class ProducedResponses {

  private final Map<String, Boolean> ids;

  public ProducedResponses(final int capacity) {
    this.ids = BoundedMap.insertionOrdered(capacity);
  }

  public synchronized void add(final String correlationId) {
    ids.put(Objects.requireNonNull(correlationId, "correlationId"), Boolean.TRUE);
  }

  public synchronized boolean contains(final String correlationId) {
    return ids.containsKey(correlationId);
  }

  public synchronized int size() {
    return ids.size();
  }
}
