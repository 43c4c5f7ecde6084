package dev.tiergate.router;

import dev.tiergate.schemas.RoutingDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's Prometheus metrics: decisions by tier and by where the tier came from (a given mode,
 * the predictor, no mode, an explicit model), error replies and dead letters by type, capability
 * skips and family switches. Counters are cached per tag set so the hot path does one map lookup.
 */
public final class RouterMetrics {

  static final String DECISIONS = "tiergate.router.decisions";
  static final String ERRORS = "tiergate.router.errors";
  static final String FAMILY_SWITCHES = "tiergate.router.family.switches";
  static final String STICKY_STAYS = "tiergate.router.sticky.stays";
  static final String THREAD_FAILURES = "tiergate.router.stream.thread.failures";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public RouterMetrics(final MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Metrics kept in memory only, for tests and tools that do not export them. */
  public static RouterMetrics inMemory() {
    return new RouterMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  void routed(final RoutingDecision decision) {
    counter(DECISIONS, "tier", decision.getTier(), "source", source(decision)).increment();
    if (decision.getFamilySwitch()) {
      counter(FAMILY_SWITCHES, "tier", decision.getTier(), "source", "any").increment();
    }
    if (decision.getReason().contains("sticky:")) {
      counter(STICKY_STAYS, "tier", decision.getTier(), "source", "any").increment();
    }
  }

  void error(final String type) {
    counter(ERRORS, "type", type, "stage", "route").increment();
  }

  /** A stream thread failed and was replaced. */
  void threadReplaced() {
    registry.counter(THREAD_FAILURES).increment();
  }

  void deadLettered() {
    counter(ERRORS, "type", "undecodable", "stage", "decode").increment();
  }

  /** The count so far of one decision counter (for tests). */
  double decisions(final String tier, final String source) {
    return counter(DECISIONS, "tier", tier, "source", source).count();
  }

  double errors(final String type) {
    return counter(ERRORS, "type", type, "stage", "route").count();
  }

  private static String source(final RoutingDecision decision) {
    if (RouteResolver.EXPLICIT_RULE.equals(decision.getRuleKey())) {
      return "explicit";
    }
    if (decision.getPredicted()) {
      // A predicted decision with a mode is an agent's side call whose mode the router inferred.
      return RouteResolver.NO_MODE.equals(decision.getMode()) ? "predicted" : "inferred";
    }
    return RouteResolver.NO_MODE.equals(decision.getMode()) ? "none" : "mode";
  }

  private Counter counter(
      final String name, final String tag1, final String value1, final String tag2,
      final String value2) {
    return counters.computeIfAbsent(
        name + '|' + value1 + '|' + value2,
        key -> Counter.builder(name).tag(tag1, value1).tag(tag2, value2).register(registry));
  }
}
