package dev.tiergate.dispatcher;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * Correlation ids this instance accepted and has not yet committed an outcome for, with the
 * partition each came from, so a redelivered copy of a request in flight here (the router runs
 * at-least-once) is not served twice. An id leaves when its outcome is committed (it is then in
 * {@link ProducedResponses}) or when its partition is revoked or lost: an id is never taken for
 * "answered" just because this instance once started it. Bounded by the requests in flight plus
 * those awaiting their commit. Used by the poll thread only.
 */
final class RecentIds {

  private final Map<String, TopicPartition> ids = new HashMap<>();

  /** True when the id is new (and is now remembered). */
  boolean add(final String id, final TopicPartition partition) {
    return ids.putIfAbsent(id, Objects.requireNonNull(partition, "partition")) == null;
  }

  /** Forgets an id whose outcome was committed or whose request was dropped. */
  void remove(final String id) {
    ids.remove(id);
  }

  /** Forgets every id of partitions this instance no longer owns. */
  void forget(final Collection<TopicPartition> partitions) {
    ids.values().removeIf(partitions::contains);
  }

  int size() {
    return ids.size();
  }
}
