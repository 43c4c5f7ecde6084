package dev.tiergate.router;

import dev.tiergate.schemas.BudgetState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Budget states by tenant. Accounting keys {@code tiergate.budget-state} by budget id, so the
 * global store cannot be read by tenant directly; this index scans it at most once per refresh
 * interval (a few budgets per tenant, so a scan is small), trading a bounded staleness for a hot
 * path without a scan per request. A refresh of zero scans on every request.
 */
final class BudgetIndex {

  private final TimestampedKeyValueStore<String, BudgetState> store;
  private final long refreshMillis;
  private Map<String, List<BudgetState>> byTenant = Map.of();
  private long builtAt = Long.MIN_VALUE;

  BudgetIndex(final TimestampedKeyValueStore<String, BudgetState> store, final long refreshMillis) {
    this.store = Objects.requireNonNull(store, "store");
    this.refreshMillis = refreshMillis;
  }

  List<BudgetState> budgets(final String tenant, final long nowMillis) {
    if (refreshMillis == 0 || builtAt == Long.MIN_VALUE || nowMillis - builtAt >= refreshMillis) {
      byTenant = scan();
      builtAt = nowMillis;
    }
    return byTenant.getOrDefault(tenant, List.of());
  }

  private Map<String, List<BudgetState>> scan() {
    final Map<String, List<BudgetState>> index = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<BudgetState>> all = store.all()) {
      while (all.hasNext()) {
        final KeyValue<String, ValueAndTimestamp<BudgetState>> entry = all.next();
        final BudgetState state = entry.value == null ? null : entry.value.value();
        if (state != null && state.getBudget() != null) {
          index.computeIfAbsent(state.getBudget().getTenant(), t -> new ArrayList<>()).add(state);
        }
      }
    }
    return index;
  }
}
