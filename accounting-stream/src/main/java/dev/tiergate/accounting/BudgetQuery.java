package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A tenant's budgets with their current spend: definitions from the global budgets table, spend
 * from the budget-state store of the partition that owns the tenant.
 */
public final class BudgetQuery {

  private final AccountingStores stores;

  public BudgetQuery(final AccountingStores stores) {
    this.stores = Objects.requireNonNull(stores, "stores");
  }

  /** Every budget of the tenant, sorted by id. */
  public List<BudgetStatus> budgets(
      final String tenant, final Instant at, final OptionalInt partition) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(at, "at");
    final List<BudgetStatus> statuses = new ArrayList<>();
    try {
      final ReadOnlyKeyValueStore<String, BudgetState> states = stores.budgetStates(partition);
      try (KeyValueIterator<String, Budget> all = stores.budgets().all()) {
        all.forEachRemaining(entry -> {
          final Budget budget = entry.value;
          if (budget != null && tenant.equals(budget.getTenant())) {
            final BudgetState state =
                states.get(BudgetRules.storeKey(tenant, budget.getBudgetId()));
            statuses.add(BudgetStatus.of(budget, state, at));
          }
        });
      }
    } catch (InvalidStateStoreException e) {
      throw new SpendUnavailableException("budget store not readable: " + e.getMessage(), e);
    }
    statuses.sort(Comparator.comparing(BudgetStatus::budgetId));
    return statuses;
  }
}
