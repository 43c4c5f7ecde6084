package dev.tiergate.router;

import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a routing decision reads besides the request: rules by key, catalogue entries by model id,
 * and the budget states of a tenant. In the topology these are GlobalKTable stores; in tests and
 * benchmarks, plain maps ({@link #of}), so the decision path runs without Kafka.
 */
public interface RoutingTables {

  /** The rule under {@code tier/mode} or {@code tier/*}, or null. */
  Route route(String key);

  /** The catalogue entry of a {@code provider/model} id, or null. */
  ModelSpec model(String id);

  /** Every budget state of the tenant (empty when none). */
  List<BudgetState> budgets(String tenant);

  /**
   * The tiers (lower case) whose routing chains hold {@code model}, from an index kept with the
   * table, not a scan. Tables that cannot tell say none, so an explicit model is refused unless the
   * key allow-lists it.
   */
  default Set<String> tiersServing(final String model) {
    return Set.of();
  }

  /**
   * Whether the model catalogue has any entry: only then is an explicit model missing from it
   * refused. Asked only when a model is missing, so it may cost a store lookup.
   */
  default boolean hasCatalogue() {
    return false;
  }

  /**
   * Tables backed by maps (budget states grouped by tenant); the models-by-tier index is built
   * once from {@code routes}, so the maps must not change afterwards.
   */
  static RoutingTables of(
      final Map<String, Route> routes,
      final Map<String, ModelSpec> models,
      final Map<String, List<BudgetState>> budgetsByTenant) {
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(budgetsByTenant, "budgetsByTenant");
    final RouteIndex index = RouteIndex.of(routes);
    return new RoutingTables() {
      @Override
      public Route route(final String key) {
        return routes.get(key);
      }

      @Override
      public ModelSpec model(final String id) {
        return models.get(id);
      }

      @Override
      public List<BudgetState> budgets(final String tenant) {
        return budgetsByTenant.getOrDefault(tenant, List.of());
      }

      @Override
      public Set<String> tiersServing(final String model) {
        return index.tiersServing(model);
      }

      @Override
      public boolean hasCatalogue() {
        return !models.isEmpty();
      }
    };
  }
}
