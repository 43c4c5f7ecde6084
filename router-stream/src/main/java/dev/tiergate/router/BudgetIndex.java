package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Budget states by tenant. Accounting keys {@code tiergate.budget-state} by budget id, so the
 * global store cannot be read by tenant directly; this index scans it at most once per refresh
 * interval (a few budgets per tenant, so a scan is small), trading a bounded staleness for a hot
 * path without a scan per request. A refresh of zero scans on every request. The same index serves
 * the budgets themselves ({@code tiergate.budgets}, also keyed by budget id).
 */
final class BudgetIndex<V> {

  private final TimestampedKeyValueStore<String, V> store;
  private final long refreshMillis;
  private final Function<V, String> tenantOf;
  private Map<String, List<V>> byTenant = Map.of();
  private long builtAt = Long.MIN_VALUE;

  BudgetIndex(
      final TimestampedKeyValueStore<String, V> store,
      final long refreshMillis,
      final Function<V, String> tenantOf) {
    this.store = Objects.requireNonNull(store, "store");
    this.refreshMillis = refreshMillis;
    this.tenantOf = Objects.requireNonNull(tenantOf, "tenantOf");
  }

  /** Budget states by their budget's tenant. */
  static BudgetIndex<BudgetState> ofStates(
      final TimestampedKeyValueStore<String, BudgetState> store, final long refreshMillis) {
    return new BudgetIndex<>(store, refreshMillis,
        state -> state.getBudget() == null ? null : state.getBudget().getTenant());
  }

  /** Budgets by tenant. */
  static BudgetIndex<Budget> ofBudgets(
      final TimestampedKeyValueStore<String, Budget> store, final long refreshMillis) {
    return new BudgetIndex<>(store, refreshMillis, Budget::getTenant);
  }

  List<V> budgets(final String tenant, final long nowMillis) {
    if (refreshMillis == 0 || builtAt == Long.MIN_VALUE || nowMillis - builtAt >= refreshMillis) {
      byTenant = scan();
      builtAt = nowMillis;
    }
    return byTenant.getOrDefault(tenant, List.of());
  }

  private Map<String, List<V>> scan() {
    final Map<String, List<V>> index = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<V>> all = store.all()) {
      while (all.hasNext()) {
        final KeyValue<String, ValueAndTimestamp<V>> entry = all.next();
        final V value = entry.value == null ? null : entry.value.value();
        final String tenant = value == null ? null : tenantOf.apply(value);
        if (tenant != null) {
          index.computeIfAbsent(tenant, t -> new ArrayList<>()).add(value);
        }
      }
    }
    return index;
  }
}
