package dev.tiergate.router;

import dev.tiergate.schemas.Route;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which tiers' routing chains hold each model: the explicit-model check asks it on every request
 * that names a {@code provider/model}, so it must not scan the routing table. The routes store's
 * own update step ({@link GlobalTableProcessor}) keeps it in step with every rule record, so a
 * changed rule counts from the next request. It also serves the rules themselves, decoded, so a
 * decision's rule lookups read no store. Written by Streams' global thread, read by the stream
 * threads: each change publishes a new immutable snapshot (the table is small and changes rarely).
 */
final class RouteIndex extends TableSnapshot<Route> {

  private volatile Map<String, Set<String>> tiersByModel = Map.of();

  /** An index of a fixed table (tests, benchmarks). */
  static RouteIndex of(final Map<String, Route> routes) {
    final RouteIndex index = new RouteIndex();
    index.replaceAll(routes);
    return index;
  }

  /** The tiers (lower case) whose chains hold {@code model}; empty when none does. */
  Set<String> tiersServing(final String model) {
    return tiersByModel.getOrDefault(Objects.requireNonNull(model, "model"), Set.of());
  }

  /** The rule under {@code key} ({@code tier/mode} or {@code tier/*}), or null. */
  Route route(final String key) {
    return get(key);
  }

  @Override
  void published(final Map<String, Route> rules) {
    final Map<String, Set<String>> next = new HashMap<>();
    rules.forEach((key, route) -> {
      final String tier = tierOf(key, route);
      route.getModels().forEach(
          model -> next.computeIfAbsent(model, m -> new TreeSet<>()).add(tier));
    });
    final Map<String, Set<String>> frozen = new HashMap<>();
    next.forEach((model, tiers) -> frozen.put(model, Set.copyOf(tiers)));
    tiersByModel = Map.copyOf(frozen);
  }

  /** The record's {@code tier} field, else the key's {@code tier/} part, lower case. */
  private static String tierOf(final String key, final Route route) {
    final String tier = route.getTier() != null && !route.getTier().isBlank()
        ? route.getTier()
        : key.substring(0, Math.max(0, key.indexOf('/')));
    return tier.trim().toLowerCase(Locale.ROOT);
  }
}
