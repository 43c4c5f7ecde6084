package dev.tiergate.accounting;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Ids remembered at one point in event time each, in a window store: the store's retention expires
 * them instead of letting them grow without bound, and with the store changelogged, under
 * exactly-once the mark and the records it lets through move together. An id counts as seen when it
 * was marked within {@code window} of event time either way: the record that reached the topic
 * second can carry the earlier event time.
 */
public final class SeenIds {

  private final WindowStore<String, Long> store;
  private final Duration window;

  public SeenIds(final WindowStore<String, Long> store, final Duration window) {
    this.store = Objects.requireNonNull(store, "store");
    this.window = Objects.requireNonNull(window, "window");
  }

  /** True, and the id marked at {@code timestamp}, when it was not seen around that time. */
  public boolean firstAt(final String id, final long timestamp) {
    // By epoch millis: the Instant overload formats an error-message prefix on every call.
    final long reach = window.toMillis();
    try (WindowStoreIterator<Long> found =
        store.fetch(id, timestamp - reach, Math.addExact(timestamp, reach))) {
      if (found.hasNext()) {
        return false;
      }
    }
    store.put(id, timestamp, timestamp);
    return true;
  }
}
