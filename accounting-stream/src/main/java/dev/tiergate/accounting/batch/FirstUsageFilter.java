package dev.tiergate.accounting.batch;

import dev.tiergate.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Passes only the first usage of each batch item: the same rule, on the same topic partition and in
 * the same offset order, as the accounting stream's {@code UsageDeduplicator}, so a batch's cost is
 * exactly what spend billed for its items. Further provider calls for an item are platform cost in
 * spend ({@code duplicateCostMicros}) and not part of the batch's cost. Runs before the repartition
 * by batch id, while usage is still keyed by correlation id.
 */
final class FirstUsageFilter extends ContextualFixedKeyProcessor<String, UsageEvent, UsageEvent> {

  private final Duration retention;
  private WindowStore<String, Long> billed;

  FirstUsageFilter(final Duration retention) {
    this.retention = Objects.requireNonNull(retention, "retention");
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, UsageEvent> context) {
    super.init(context);
    billed = context.getStateStore(BatchProgressTopology.BILLED_ITEMS_STORE);
  }

  @Override
  public void process(final FixedKeyRecord<String, UsageEvent> record) {
    final String correlationId = record.value().getCorrelationId();
    final long timestamp = eventTime(record);
    if (billedBefore(correlationId, timestamp)) {
      return;
    }
    billed.put(correlationId, timestamp, timestamp);
    context().forward(record);
  }

  /** The accounting stream's event time: when the usage happened, capped at the record's time. */
  private static long eventTime(final FixedKeyRecord<String, UsageEvent> record) {
    final long occurredAt = record.value().getOccurredAt().toEpochMilli();
    return record.timestamp() > 0 ? Math.min(occurredAt, record.timestamp()) : occurredAt;
  }

  private boolean billedBefore(final String correlationId, final long timestamp) {
    final Instant at = Instant.ofEpochMilli(timestamp);
    try (WindowStoreIterator<Long> found =
        billed.fetch(correlationId, at.minus(retention), at.plus(retention))) {
      return found.hasNext();
    }
  }
}
