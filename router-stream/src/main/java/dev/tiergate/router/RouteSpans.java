package dev.tiergate.router;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.Topics;
import dev.tiergate.tracing.GenAiAttributes;
import dev.tiergate.tracing.KafkaTraceHeaders;
import dev.tiergate.tracing.MessagingSpans;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;

/**
 * The router's spans: {@code process tiergate.requests} for each request it reads (a child of the
 * trace the record carries), and under it the {@code route} decision span with the tier, rule,
 * mode and its source, the predictor's score and the budget's action. The outcome record carries
 * the decision span as its parent, so the dispatcher's spans hang under it.
 */
final class RouteSpans {

  static final String TRACER = "tiergate-router";
  static final AttributeKey<String> TIER = AttributeKey.stringKey("tiergate.route.tier");
  static final AttributeKey<String> RULE = AttributeKey.stringKey("tiergate.route.rule");
  static final AttributeKey<String> MODE = AttributeKey.stringKey("tiergate.route.mode");
  static final AttributeKey<String> MODE_SOURCE = AttributeKey.stringKey("tiergate.route.mode_source");
  static final AttributeKey<Double> PREDICTED_SCORE =
      AttributeKey.doubleKey("tiergate.route.predicted_score");
  static final AttributeKey<String> BUDGET_ACTION = AttributeKey.stringKey("tiergate.route.budget_action");
  static final AttributeKey<List<String>> MODELS = AttributeKey.stringArrayKey("tiergate.route.models");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("tiergate.route.reason");

  /** How {@link RouteResolver} writes the predictor's score into a decision's reason. */
  private static final Pattern SCORE = Pattern.compile("predictor score ([0-9.]+)");
  /** How {@link BudgetGuard} words an exhausted DOWNGRADE budget in a decision's reason. */
  private static final Pattern DOWNGRADE = Pattern.compile("budget \\S+ exhausted");

  private RouteSpans() {}

  /**
   * Records the decision on spans under the record's trace and writes the decision span into
   * {@code headers} (the outcome's), replacing the parent the request carried.
   */
  static void record(
      final Headers headers, final String correlationId, final RoutingOutcome outcome) {
    final Span process = MessagingSpans.process(
        Tracing.tracer(TRACER), Topics.REQUESTS.name(), headers, correlationId);
    final Span route = Tracing.tracer(TRACER).spanBuilder("route")
        .setParent(Context.root().with(process))
        .startSpan();
    // Off or not sampled: no attributes to build, only the context to pass on.
    if (route.isRecording()) {
      describe(route, outcome);
    }
    KafkaTraceHeaders.inject(Context.root().with(route), headers);
    route.end();
    process.end();
  }

  private static void describe(final Span route, final RoutingOutcome outcome) {
    if (outcome instanceof Routed routed) {
      decision(route, routed.routed().getDecision());
    } else if (outcome instanceof Unroutable refused) {
      final String type = String.valueOf(refused.response().getError().getType());
      route.setAttribute(GenAiAttributes.ERROR_TYPE, type);
      route.setAttribute(BUDGET_ACTION,
          RouteResolver.INSUFFICIENT_QUOTA.equals(type) ? "reject" : "none");
      route.setStatus(StatusCode.ERROR, type);
    }
  }

  private static void decision(final Span span, final RoutingDecision decision) {
    final String reason = decision.getReason();
    span.setAttribute(TIER, decision.getTier());
    span.setAttribute(RULE, decision.getRuleKey());
    span.setAttribute(MODE, decision.getMode());
    span.setAttribute(MODE_SOURCE, modeSource(decision));
    span.setAttribute(MODELS, List.copyOf(decision.getModelChain()));
    span.setAttribute(REASON, reason);
    span.setAttribute(BUDGET_ACTION,
        reason != null && DOWNGRADE.matcher(reason).find() ? "downgrade" : "none");
    if (decision.getPredicted() && reason != null) {
      final Matcher score = SCORE.matcher(reason);
      if (score.find()) {
        span.setAttribute(PREDICTED_SCORE, Double.parseDouble(score.group(1)));
      }
    }
  }

  /** {@code predicted}, {@code given} or {@code none}, as the ingress's reply header says. */
  private static String modeSource(final RoutingDecision decision) {
    if (decision.getPredicted()) {
      return "predicted";
    }
    final String mode = decision.getMode();
    return mode == null || "none".equals(mode) ? "none" : "given";
  }
}
