package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sums each usage's spend deltas per tenant × dimension value × UTC hour before the repartition, and
 * forwards the sums every interval: one record per key and interval crosses the repartition topic
 * instead of one per dimension and event, which is what limited throughput.
 *
 * <p>What is pending waits in a changelogged store ({@link PendingSpend}: one record per usage),
 * never only in memory: a commit can come at any moment, and exactly-once holds because the input
 * offsets, the pending records and the forwarded sums are committed in one transaction. After a
 * crash the pending sums are rebuilt from the restored records and forwarded by the next
 * punctuation. The hour is part of the key (every hour lies inside one day and one month), and each
 * sum carries the latest event time summed in, so the windowed stores downstream put it in the same
 * buckets as the single events; sums are forwarded oldest first, so stream time, and with it grace,
 * moves as it would have.
 */
final class SpendPresummer
    extends ContextualProcessor<String, PricedUsage, String, SpendAggregate> {

  /** Forwarded early past this many pending keys or usages, so one interval's memory stays bounded. */
  static final int MAX_PENDING_KEYS = 50_000;

  private final Duration interval;
  private final String pendingStore;
  private PendingSpend pending;

  /** @param pendingStore the changelogged store of the pending sums */
  SpendPresummer(final Duration interval, final String pendingStore) {
    this.interval = interval;
    this.pendingStore = pendingStore;
  }

  @Override
  public void init(final ProcessorContext<String, SpendAggregate> context) {
    super.init(context);
    // Restored sums from before a restart are loaded too, so the bound holds from the start.
    pending = new PendingSpend(context.getStateStore(pendingStore));
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> forwardPending());
  }

  @Override
  public void process(final Record<String, PricedUsage> record) {
    final PricedUsage priced = record.value();
    final long timestamp = record.timestamp();
    final List<SpendDelta> deltas = new ArrayList<>(SpendDimension.values().length);
    for (final SpendDimension dimension : SpendDimension.values()) {
      final String value = dimension.valueOf(priced.usage()).orElse(null);
      if (value != null) {
        deltas.add(SpendDelta.of(priced, dimension, value, timestamp));
      }
    }
    pending.add(deltas);
    if (pending.keys() >= MAX_PENDING_KEYS || pending.usages() >= MAX_PENDING_KEYS) {
      forwardPending();
    }
  }

  /** Forwards every pending sum, oldest first, and clears it. */
  private void forwardPending() {
    for (final SpendDelta sum : pending.drain()) {
      context().forward(new Record<>(sum.storeKey(), sum.toAggregate(), sum.timestamp()));
    }
  }
}
