package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.VirtualKey;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * The stores of a running Streams app. Only RUNNING counts: while rebalancing, a partition may be on
 * its way to another instance, and a read then could return a partial sum, so it is refused (503)
 * rather than answered wrongly. Stale reads from standbys are never enabled, for the same reason.
 */
public final class StreamsStores implements AccountingStores {

  private final KafkaStreams streams;

  public StreamsStores(final KafkaStreams streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  @Override
  public ReadOnlyKeyValueStore<String, SpendAggregate> total(final OptionalInt partition) {
    return store(AccountingTopology.SPEND_STORE, QueryableStoreTypes.keyValueStore(), partition);
  }

  @Override
  public ReadOnlyWindowStore<String, SpendAggregate> windowed(
      final SpendWindow window, final OptionalInt partition) {
    return store(window.storeName(), QueryableStoreTypes.windowStore(), partition);
  }

  @Override
  public ReadOnlyKeyValueStore<String, BudgetState> budgetStates(final OptionalInt partition) {
    return store(
        AccountingTopology.BUDGET_STATE_STORE, QueryableStoreTypes.keyValueStore(), partition);
  }

  @Override
  public ReadOnlyKeyValueStore<String, Budget> budgets() {
    return store(
        AccountingTopology.BUDGETS_STORE, QueryableStoreTypes.keyValueStore(), OptionalInt.empty());
  }

  @Override
  public ReadOnlyKeyValueStore<String, VirtualKey> virtualKeys() {
    return store(AccountingTopology.VIRTUAL_KEYS_STORE, QueryableStoreTypes.keyValueStore(),
        OptionalInt.empty());
  }

  private <T> T store(
      final String name, final QueryableStoreType<T> type, final OptionalInt partition) {
    final KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      throw new SpendUnavailableException("accounting stream is " + state);
    }
    StoreQueryParameters<T> params = StoreQueryParameters.fromNameAndType(name, type);
    if (partition.isPresent()) {
      params = params.withPartition(partition.getAsInt());
    }
    try {
      return streams.store(params);
    } catch (InvalidStateStoreException e) {
      throw new SpendUnavailableException("store " + name + " not readable: " + e.getMessage(), e);
    }
  }
}
