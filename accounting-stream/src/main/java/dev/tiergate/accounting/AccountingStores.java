package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.VirtualKey;
import java.util.OptionalInt;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * The stores the query API reads: the running Streams app in production ({@link StreamsStores}), a
 * TopologyTestDriver in tests. A partition narrows a read to the one partition that holds a
 * tenant's rows; every method throws {@link SpendUnavailableException} when the store cannot be read
 * (starting, rebalancing, not owned here).
 */
public interface AccountingStores {

  ReadOnlyKeyValueStore<String, SpendAggregate> total(OptionalInt partition);

  ReadOnlyWindowStore<String, SpendAggregate> windowed(SpendWindow window, OptionalInt partition);

  ReadOnlyKeyValueStore<String, BudgetState> budgetStates(OptionalInt partition);

  /** Every budget definition (a global table: complete on every instance). */
  ReadOnlyKeyValueStore<String, Budget> budgets();

  /** Hashed virtual keys by SHA-256 hex (a global table). */
  ReadOnlyKeyValueStore<String, VirtualKey> virtualKeys();
}
