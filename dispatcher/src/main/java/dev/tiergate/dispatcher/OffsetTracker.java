package dev.tiergate.dispatcher;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition may be committed. Requests finish out of order, so a partition's
 * commit point is its lowest unfinished offset: nothing is committed past a record whose response
 * is not yet on Kafka. Used by the poll thread only.
 */
final class OffsetTracker {

  private final Map<TopicPartition, PartitionOffsets> partitions = new HashMap<>();

  void received(final TopicPartition partition, final long offset) {
    partitions.computeIfAbsent(partition, p -> new PartitionOffsets()).received(offset);
  }

  /** Ignored for a partition no longer tracked (revoked while its request was in flight). */
  void completed(final TopicPartition partition, final long offset) {
    final PartitionOffsets tracked = partitions.get(partition);
    if (tracked != null) {
      tracked.pending.remove(offset);
    }
  }

  /** Offsets to commit for every partition whose commit point moved. */
  Map<TopicPartition, OffsetAndMetadata> committable() {
    return committable(partitions.keySet());
  }

  Map<TopicPartition, OffsetAndMetadata> committable(final Collection<TopicPartition> subset) {
    final Map<TopicPartition, OffsetAndMetadata> ready = new HashMap<>();
    for (final TopicPartition partition : subset) {
      final PartitionOffsets tracked = partitions.get(partition);
      if (tracked != null) {
        tracked.commitPoint().ifPresent(offset -> ready.put(partition, new OffsetAndMetadata(offset)));
      }
    }
    return ready;
  }

  void markCommitted(final Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach(
        (partition, offset) -> {
          final PartitionOffsets tracked = partitions.get(partition);
          if (tracked != null) {
            tracked.committed = Math.max(tracked.committed, offset.offset());
          }
        });
  }

  void remove(final Collection<TopicPartition> revoked) {
    revoked.forEach(partitions::remove);
  }

  private static final class PartitionOffsets {
    private final TreeSet<Long> pending = new TreeSet<>();
    private long next = -1;
    private long committed = -1;

    void received(final long offset) {
      if (next < 0) {
        // Where consumption started is already the group's position; committing it again is noise.
        committed = offset;
      }
      pending.add(offset);
      next = Math.max(next, offset + 1);
    }

    OptionalLong commitPoint() {
      if (next < 0) {
        return OptionalLong.empty();
      }
      final long point = pending.isEmpty() ? next : pending.first();
      return point > committed ? OptionalLong.of(point) : OptionalLong.empty();
    }
  }
}
