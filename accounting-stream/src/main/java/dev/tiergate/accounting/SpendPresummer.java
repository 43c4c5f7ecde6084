package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Duration;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sums each usage's spend deltas per tenant × dimension value × UTC hour before the repartition, and
 * forwards the sums every interval: one record per key and interval crosses the repartition topic
 * instead of one per dimension and event, which is what limited throughput.
 *
 * <p>The sums wait in a changelogged store (cached,
 * so it is written to its changelog once per key and commit), never only in memory: a commit can
 * come at any moment, and exactly-once holds because the input offsets, the pending sums and the
 * forwarded sums are committed in one transaction ({@link PendingSums}, which also mirrors them in
 * a map so a usage's additions read no store). After a crash the pending sums are restored and
 * forwarded by the next punctuation. The hour is part of the key (every hour lies inside one day and
 * one month), and each sum carries the latest event time summed in, so the windowed stores
 * downstream put it in the same buckets as the single events; sums are forwarded oldest first, so
 * stream time, and with it grace, moves as it would have.
 */
final class SpendPresummer
    extends ContextualProcessor<String, PricedUsage, String, SpendAggregate> {

  /** Forwarded early past this many pending keys, so one interval's memory stays bounded. */
  static final int MAX_PENDING_KEYS = 50_000;

  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

  private final Duration interval;
  private final String pendingStore;
  private PendingSums<SpendDelta> pending;

  /** @param pendingStore the changelogged store of the pending sums */
  SpendPresummer(final Duration interval, final String pendingStore) {
    this.interval = interval;
    this.pendingStore = pendingStore;
  }

  @Override
  public void init(final ProcessorContext<String, SpendAggregate> context) {
    super.init(context);
    // Restored sums from before a restart are loaded too, so the bound holds from the start.
    pending = new PendingSums<>(context.getStateStore(pendingStore), SpendDelta::plus);
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> forwardPending());
  }

  @Override
  public void process(final Record<String, PricedUsage> record) {
    final PricedUsage priced = record.value();
    final long timestamp = record.timestamp();
    final String hourSuffix = "|" + Math.floorDiv(timestamp, HOUR_MILLIS);
    for (final SpendDimension dimension : SpendDimension.values()) {
      final String value = dimension.valueOf(priced.usage()).orElse(null);
      if (value != null) {
        add(SpendDelta.of(priced, dimension, value, timestamp), hourSuffix);
      }
    }
    if (pending.size() >= MAX_PENDING_KEYS) {
      forwardPending();
    }
  }

  private void add(final SpendDelta delta, final String hourSuffix) {
    pending.add(delta.storeKey() + hourSuffix, delta);
  }

  /** Forwards every pending sum, oldest first, and clears it. */
  private void forwardPending() {
    for (final KeyValue<String, SpendDelta> sum : pending.drain(SpendDelta::timestamp)) {
      context().forward(
          new Record<>(sum.value.storeKey(), sum.value.toAggregate(), sum.value.timestamp()));
    }
  }
}
