package dev.tiergate.accounting;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The usage a budget state has booked, as the highest {@code tiergate.usage} offset per partition
 * (partition number as a decimal string, the Avro map's key). Usage of one tenant reaches its
 * budget tracker in offset order per partition, so the mark only grows; merging keeps the larger.
 */
final class BookedOffsets {

  private BookedOffsets() {}

  /** Both marks, each partition at its higher offset; a new map, the inputs are not changed. */
  static Map<String, Long> merge(final Map<String, Long> current, final Map<String, Long> delta) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(delta, "delta");
    if (delta.isEmpty()) {
      return current;
    }
    final Map<String, Long> merged = new HashMap<>(current);
    delta.forEach((partition, offset) -> merged.merge(partition, offset, Math::max));
    return merged;
  }
}
