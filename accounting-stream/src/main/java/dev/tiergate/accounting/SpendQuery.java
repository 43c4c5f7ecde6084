package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Reads a tenant's spend from the local stores: one bucket of one window ({@link #spend}) or a run
 * of buckets over time ({@link #series}). Which instance and partition to read is decided before
 * (see {@link QueryRouter}); iterators are always closed.
 */
public final class SpendQuery {

  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  private final AccountingStores stores;

  public SpendQuery(final AccountingStores stores) {
    this.stores = Objects.requireNonNull(stores, "stores");
  }

  /**
   * One page of every value of the scope's dimension in the window bucket that holds {@code at},
   * sorted by value (a scan across several partitions' stores is ordered only within each
   * partition). The totals cover every row.
   *
   * @throws SpendUnavailableException while the store cannot be read
   */
  public SpendReport spend(
      final SpendScope scope, final Instant at, final OptionalInt partition, final SpendPage page) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(page, "page");
    final Instant start = scope.window().start(at);
    final List<SpendAggregate> rows = new ArrayList<>();
    for (final KeyValue<Instant, SpendAggregate> row : read(scope, start, start, partition)) {
      rows.add(row.value);
    }
    rows.sort(Comparator.comparing(SpendAggregate::getValue));
    return SpendReport.page(scope, rows, page);
  }

  /**
   * The buckets of the scope's window from {@code from} to {@code to} (both inclusive, by bucket
   * start), oldest first, each with the dimension's values. Only windowed stores have a series.
   */
  public SpendSeries series(
      final SpendScope scope, final Instant from, final Instant to, final OptionalInt partition) {
    final SpendWindow window = Objects.requireNonNull(scope, "scope").window();
    if (!window.windowed()) {
      throw new IllegalArgumentException("the total has no series");
    }
    return SpendSeries.of(scope, read(scope, window.start(from), window.start(to), partition));
  }

  private List<KeyValue<Instant, SpendAggregate>> read(
      final SpendScope scope, final Instant from, final Instant to, final OptionalInt partition) {
    Objects.requireNonNull(partition, "partition");
    final String prefix = SpendKey.storePrefix(scope.tenant(), scope.by());
    try {
      return scope.window().windowed()
          ? readWindowed(prefix, scope.window(), from, to, partition)
          : readTotal(prefix, partition);
    } catch (InvalidStateStoreException e) {
      throw new SpendUnavailableException("spend store not readable: " + e.getMessage(), e);
    }
  }

  private List<KeyValue<Instant, SpendAggregate>> readTotal(
      final String prefix, final OptionalInt partition) {
    final List<KeyValue<Instant, SpendAggregate>> rows = new ArrayList<>();
    try (KeyValueIterator<String, SpendAggregate> it =
        stores.total(partition).prefixScan(prefix, PREFIX_SERIALIZER)) {
      it.forEachRemaining(row -> rows.add(KeyValue.pair(Instant.EPOCH, row.value)));
    }
    return rows;
  }

  private List<KeyValue<Instant, SpendAggregate>> readWindowed(
      final String prefix,
      final SpendWindow window,
      final Instant from,
      final Instant to,
      final OptionalInt partition) {
    final List<KeyValue<Instant, SpendAggregate>> rows = new ArrayList<>();
    // Every key with the prefix sorts below the prefix with its last '|' raised to '}'.
    final String upper = prefix.substring(0, prefix.length() - 1) + '}';
    try (KeyValueIterator<Windowed<String>, SpendAggregate> it =
        stores.windowed(window, partition).fetch(prefix, upper, from, to)) {
      it.forEachRemaining(row -> {
        if (row.key.key().startsWith(prefix)) {
          final Instant start = row.key.window().startTime();
          rows.add(KeyValue.pair(start, SpendAggregates.inWindow(row.value, window, start)));
        }
      });
    }
    return rows;
  }
}
