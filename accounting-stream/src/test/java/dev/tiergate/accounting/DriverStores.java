package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.VirtualKey;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/** The stores of a TopologyTestDriver, with a switch that makes them unavailable like a rebalance. */
final class DriverStores implements AccountingStores {

  private final TopologyTestDriver driver;
  final AtomicReference<String> unavailable = new AtomicReference<>();

  DriverStores(final TopologyTestDriver driver) {
    this.driver = driver;
  }

  @Override
  public ReadOnlyKeyValueStore<String, SpendAggregate> total(final OptionalInt partition) {
    check();
    return driver.getKeyValueStore(AccountingTopology.SPEND_STORE);
  }

  @Override
  public ReadOnlyWindowStore<String, SpendAggregate> windowed(
      final SpendWindow window, final OptionalInt partition) {
    check();
    return driver.getWindowStore(window.storeName());
  }

  @Override
  public ReadOnlyKeyValueStore<String, BudgetState> budgetStates(final OptionalInt partition) {
    check();
    return driver.getKeyValueStore(AccountingTopology.BUDGET_STATE_STORE);
  }

  @Override
  public ReadOnlyKeyValueStore<String, Budget> budgets() {
    check();
    return driver.getKeyValueStore(AccountingTopology.BUDGETS_STORE);
  }

  @Override
  public ReadOnlyKeyValueStore<String, VirtualKey> virtualKeys() {
    check();
    return driver.getKeyValueStore(AccountingTopology.VIRTUAL_KEYS_STORE);
  }

  private void check() {
    final String reason = unavailable.get();
    if (reason != null) {
      throw new SpendUnavailableException(reason);
    }
  }
}
