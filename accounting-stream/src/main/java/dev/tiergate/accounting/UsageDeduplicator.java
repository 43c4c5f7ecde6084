package dev.tiergate.accounting;

import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * One charge per request: the first usage of a correlation id is billed, every further one (a second
 * provider call after a rebalance, a crash or a retry) is marked {@link PricedUsage#duplicate()} and
 * kept as platform cost. First means first in the usage partition, which holds every usage of one
 * id since the topic is keyed by correlation id; so this runs before any repartition by tenant.
 * Cancelled or interrupted usage is a real charge and counts as a first like any other. Each
 * usage's verdict and cost end its trace ({@link UsageSpans}) and feed the spend-rate metric.
 *
 * <p>The billed ids live in a changelogged window store ({@link SeenIds}), so under exactly-once
 * the mark and the sums move together. An id is remembered for {@link #RETENTION} of event time
 * around its first usage, the requests topic's retention: a request older than that is gone from
 * the pipeline and cannot be served again. Expiry is the store's own (segments dropped as stream
 * time passes), so the store holds the ids of at most about 1.5 × that period.
 */
final class UsageDeduplicator extends SeenIdsProcessor<PricedUsage> {

  /** How long a billed correlation id is remembered: the requests topic's retention. */
  static final Duration RETENTION = Topics.REQUESTS.retention().orElseThrow();

  private final SpendMeter meter;

  /** @param storeName the store of billed ids ({@link #store}) */
  UsageDeduplicator(final String storeName, final Duration retention, final SpendMeter meter) {
    super(storeName, retention);
    this.meter = Objects.requireNonNull(meter, "meter");
  }

  /** The changelogged store of billed ids, named so an upgrade keeps it. */
  static StoreBuilder<WindowStore<String, Long>> store(final String name, final Duration retention) {
    // Window size 1 ms: each id is one point in time, the time of its first usage.
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(name, retention, Duration.ofMillis(1), false),
        Serdes.String(),
        Serdes.Long());
  }

  @Override
  public void process(final FixedKeyRecord<String, PricedUsage> record) {
    if (!firstAt(record.value().usage().getCorrelationId(), record.timestamp())) {
      final PricedUsage duplicate = record.value().asDuplicate();
      booked(record, duplicate);
      context().forward(record.withValue(duplicate));
      return;
    }
    booked(record, record.value());
    context().forward(record);
  }

  /** The usage's verdict and cost, on its trace and the spend-rate metric. */
  private void booked(final FixedKeyRecord<String, PricedUsage> record, final PricedUsage priced) {
    UsageSpans.record(record.headers(), priced);
    meter.booked(priced.usage().getTier(), priced.costMicros(), priced.duplicate());
  }
}
