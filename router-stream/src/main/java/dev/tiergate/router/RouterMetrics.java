package dev.tiergate.router;

import dev.tiergate.runtime.ServiceMetrics;
import dev.tiergate.schemas.RoutingDecision;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The router's Prometheus metrics: decisions by tier and by where the tier came from (a given mode,
 * the predictor, no mode, an explicit model), error replies and dead letters by type, capability
 * skips and family switches.
 */
public final class RouterMetrics extends ServiceMetrics {

  static final String DECISIONS = "tiergate.router.decisions";
  static final String ERRORS = "tiergate.router.errors";
  static final String FAMILY_SWITCHES = "tiergate.router.family.switches";
  static final String STICKY_STAYS = "tiergate.router.sticky.stays";
  static final String THREAD_FAILURES = "tiergate.router.stream.thread.failures";

  public RouterMetrics(final MeterRegistry registry) {
    super(registry);
  }

  /** Metrics kept in memory only, for tests and tools that do not export them. */
  public static RouterMetrics inMemory() {
    return new RouterMetrics(new SimpleMeterRegistry());
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
    registry().counter(THREAD_FAILURES).increment();
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
}
