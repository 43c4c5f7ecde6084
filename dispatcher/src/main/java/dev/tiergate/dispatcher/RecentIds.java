package dev.tiergate.dispatcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent correlation ids this instance accepted, bounded, so a redelivered request (the
 * router runs at-least-once) is served once. Per instance only; used by the poll thread only.
 */
final class RecentIds {

  private final Map<String, Boolean> ids;

  RecentIds(final int capacity) {
    this.ids =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** True when the id is new (and is now remembered). */
  boolean add(final String id) {
    return ids.putIfAbsent(id, Boolean.TRUE) == null;
  }

  /** Forgets an id whose request was dropped before it was served. */
  void remove(final String id) {
    ids.remove(id);
  }
}
