package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads spend from the local spend store with interactive queries. All store access lives here, so
 * routing a query to the instance that owns a tenant's partition can be added in one place.
 */
public final class SpendQuery {

  /** Hands out the store, or throws {@link SpendUnavailableException} when it cannot be read. */
  @FunctionalInterface
  public interface StoreSource {
    ReadOnlyKeyValueStore<String, SpendAggregate> store();
  }

  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  private final StoreSource source;

  public SpendQuery(final StoreSource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Queries the spend store of a running Streams app; unavailable unless it is RUNNING. */
  public static SpendQuery of(final KafkaStreams streams) {
    Objects.requireNonNull(streams, "streams");
    return new SpendQuery(() -> runningStore(streams));
  }

  /**
   * Every value of one dimension for a tenant in the window bucket that holds {@code at}, sorted by
   * value (a scan across several partitions' stores is ordered only within each partition).
   *
   * @throws SpendUnavailableException while the store cannot be read
   */
  public SpendReport spend(
      final String tenant, final SpendDimension by, final SpendWindow window, final Instant at) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(at, "at");
    final String prefix = SpendKey.prefix(tenant, by, window, window.start(at));
    final List<SpendAggregate> aggregates = new ArrayList<>();
    try (KeyValueIterator<String, SpendAggregate> rows =
        source.store().prefixScan(prefix, PREFIX_SERIALIZER)) {
      rows.forEachRemaining(row -> aggregates.add(row.value));
    } catch (InvalidStateStoreException e) {
      throw new SpendUnavailableException("spend store not readable: " + e.getMessage(), e);
    }
    aggregates.sort(Comparator.comparing(SpendAggregate::getValue));
    return SpendReport.of(tenant, by, window, aggregates);
  }

  private static ReadOnlyKeyValueStore<String, SpendAggregate> runningStore(
      final KafkaStreams streams) {
    final KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      throw new SpendUnavailableException("accounting stream is " + state);
    }
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            AccountingTopology.SPEND_STORE, QueryableStoreTypes.keyValueStore()));
  }
}
