package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Bounds how many distinct values each tenant keeps per dimension: the first {@code maxValues}
 * values a tenant uses in a UTC month get their own aggregates; any further new value that month is
 * summed under {@value #OTHER}, so every window and the totals still add up to what was spent. Sits
 * after the repartition by tenant, so one task sees all of a tenant's values.
 *
 * <p>Which values a month admitted lives in a store of its own, keyed
 * {@code yyyy-MM|<store key>}, with the month's count under {@code yyyy-MM|<store prefix>}; months
 * older than the previous one are deleted hourly (a late delta for them is admitted anew, within
 * the same bound). So every hour, day and month bucket holds at most {@code maxValues + 1} rows per
 * tenant and dimension, and the all-time total gains at most {@code maxValues} rows a month.
 */
final class SpendValueCap
    extends ContextualProcessor<String, SpendAggregate, String, SpendAggregate> {

  /** The value that stands for every value past the bound. */
  static final String OTHER = "(other)";

  private static final Duration CLEAN_EVERY = Duration.ofHours(1);

  private final int maxValues;
  private final String admittedStore;
  private KeyValueStore<String, Long> admitted;

  /** @param admittedStore the store of the values each month admitted */
  SpendValueCap(final int maxValues, final String admittedStore) {
    this.maxValues = Settings.requirePositive(maxValues, "maxValues");
    this.admittedStore = Objects.requireNonNull(admittedStore, "admittedStore");
  }

  @Override
  public void init(final ProcessorContext<String, SpendAggregate> context) {
    super.init(context);
    admitted = context.getStateStore(admittedStore);
    context.schedule(CLEAN_EVERY, PunctuationType.WALL_CLOCK_TIME, this::dropOldMonths);
  }

  @Override
  public void process(final Record<String, SpendAggregate> record) {
    final SpendAggregate delta = record.value();
    if (OTHER.equals(delta.getValue())) {
      context().forward(record);
      return;
    }
    final String month = month(record.timestamp());
    final String valueKey = month + "|" + record.key();
    if (admitted.get(valueKey) != null) {
      context().forward(record);
      return;
    }
    final SpendDimension dimension = SpendAggregates.dimension(delta);
    final String countKey = month + "|" + SpendKey.storePrefix(delta.getTenant(), dimension);
    final Long count = admitted.get(countKey);
    final long used = count == null ? 0 : count;
    if (used < maxValues) {
      admitted.put(countKey, used + 1);
      admitted.put(valueKey, 1L);
      context().forward(record);
      return;
    }
    final SpendAggregate other = SpendAggregate.newBuilder(delta).setValue(OTHER).build();
    context().forward(record
        .withKey(SpendKey.storeKey(delta.getTenant(), dimension, OTHER))
        .withValue(other));
  }

  /** Deletes the admissions of months before the previous one (keys sort by month first). */
  private void dropOldMonths(final long now) {
    final String keepFrom = month(YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC))
        .minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    final java.util.List<String> old = new java.util.ArrayList<>();
    try (KeyValueIterator<String, Long> it = admitted.range(null, keepFrom)) {
      it.forEachRemaining(entry -> old.add(entry.key));
    }
    old.stream().filter(key -> key.compareTo(keepFrom) < 0).forEach(admitted::delete);
  }

  static String month(final long epochMillis) {
    return YearMonth.from(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC)).toString();
  }
}
