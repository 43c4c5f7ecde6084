package dev.tiergate.accounting.batch;

import dev.tiergate.accounting.SeenIdsProcessor;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.UsageEvent;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Passes only the first record of each batch item (by correlation id), so a batch counts each item
 * once. The ids already seen live in a window store (see {@link SeenIdsProcessor}), so they expire
 * with the retention instead of growing without bound.
 *
 * @param <V> an answer ({@link #answers}) or a usage ({@link #usage})
 */
final class FirstPerItem<V> extends SeenIdsProcessor<V> {

  private final Function<V, String> correlationId;
  private final ToLongFunction<FixedKeyRecord<String, V>> eventTime;

  private FirstPerItem(
      final String storeName,
      final Duration retention,
      final Function<V, String> correlationId,
      final ToLongFunction<FixedKeyRecord<String, V>> eventTime) {
    super(storeName, retention);
    this.correlationId = correlationId;
    this.eventTime = eventTime;
  }

  /**
   * The first answer of each item. A request can be answered twice (a dispatcher crash between
   * produce and commit redelivers it).
   */
  static FirstPerItem<ChatResponse> answers(final String storeName, final Duration retention) {
    return new FirstPerItem<>(storeName, retention, ChatResponse::getCorrelationId, FixedKeyRecord::timestamp);
  }

  /**
   * The first usage of each item: the same rule, on the same topic partition and in the same offset
   * order, as the accounting stream's {@code UsageDeduplicator}, so a batch's cost is exactly what
   * spend billed for its items. Further provider calls for an item are platform cost in spend
   * ({@code duplicateCostMicros}) and not part of the batch's cost. Runs before the repartition by
   * batch id, while usage is still keyed by correlation id.
   */
  static FirstPerItem<UsageEvent> usage(final String storeName, final Duration retention) {
    return new FirstPerItem<>(storeName, retention, UsageEvent::getCorrelationId, FirstPerItem::usageTime);
  }

  /** The accounting stream's event time: when the usage happened, capped at the record's time. */
  private static long usageTime(final FixedKeyRecord<String, UsageEvent> record) {
    final long occurredAt = record.value().getOccurredAt().toEpochMilli();
    return record.timestamp() > 0 ? Math.min(occurredAt, record.timestamp()) : occurredAt;
  }

  @Override
  public void process(final FixedKeyRecord<String, V> record) {
    if (firstAt(correlationId.apply(record.value()), eventTime.applyAsLong(record))) {
      context().forward(record);
    }
  }
}
