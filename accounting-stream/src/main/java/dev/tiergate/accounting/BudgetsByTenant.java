package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The budgets of the global table grouped by tenant, for a processor that needs one tenant's
 * budgets per record. The table is keyed by budget id, so without this every record scanned and
 * decoded every budget of every tenant. The grouping is rebuilt from a full scan whenever the
 * store's {@link Position} (the table offsets it has applied; a store advances it after each write)
 * differs from the one read before the last scan, so a changed, new or deleted budget is seen by
 * the first record processed after the global thread applied it, as with a scan per record. Each
 * tenant's budgets keep the table's order (by budget id). One per processor instance: it is read
 * and rebuilt on the stream thread only.
 */
final class BudgetsByTenant {

  private final KeyValueStore<String, Object> store;
  private Position scanned;
  private Map<String, List<Budget>> byTenant = Map.of();

  /** @param store the budgets' global store, as a processor's context returns it */
  BudgetsByTenant(final KeyValueStore<String, Object> store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The tenant's budgets as the table holds them now, in budget id order; empty for none. */
  List<Budget> of(final String tenant) {
    if (scanned == null || !scanned.equals(store.getPosition())) {
      // The position first: a write landing during the scan moves it past this copy.
      scanned = store.getPosition().copy();
      byTenant = scan();
    }
    return byTenant.getOrDefault(tenant, List.of());
  }

  private Map<String, List<Budget>> scan() {
    final Map<String, List<Budget>> grouped = new HashMap<>();
    try (KeyValueIterator<String, Object> rows = store.all()) {
      rows.forEachRemaining(row -> {
        final Budget budget = GlobalStores.unwrap(row.value);
        if (budget != null) {
          grouped.computeIfAbsent(budget.getTenant(), tenant -> new ArrayList<>()).add(budget);
        }
      });
    }
    return grouped;
  }
}
