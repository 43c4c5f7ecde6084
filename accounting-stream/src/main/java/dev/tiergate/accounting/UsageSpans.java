package dev.tiergate.accounting;

import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.tracing.GenAiAttributes;
import dev.tiergate.tracing.MessagingSpans;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.common.header.Headers;

/**
 * Accounting's span of one usage event: {@code process tiergate.usage}, a child of the trace the
 * usage record carries (the dispatcher's), with what the request cost. Spend records carry no
 * trace: each sums many requests.
 */
final class UsageSpans {

  static final String TRACER = "tiergate-accounting";
  static final AttributeKey<Long> COST_MICROS = AttributeKey.longKey("tiergate.cost_micros");
  static final AttributeKey<Long> COUNTERFACTUAL_MICROS =
      AttributeKey.longKey("tiergate.counterfactual_micros");
  static final AttributeKey<Boolean> PRICED = AttributeKey.booleanKey("tiergate.priced");
  static final AttributeKey<Boolean> DUPLICATE = AttributeKey.booleanKey("tiergate.duplicate");
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("tiergate.tenant");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("tiergate.model");

  private UsageSpans() {}

  /** Records the priced usage; a duplicate (platform cost, not billed) says so. */
  static void record(final Headers headers, final PricedUsage priced) {
    final UsageEvent usage = priced.usage();
    final Span span = MessagingSpans.process(
        Tracing.tracer(TRACER), Topics.USAGE.name(), headers, usage.getCorrelationId());
    if (span.isRecording()) {
      span.setAttribute(TENANT, usage.getTenant());
      span.setAttribute(MODEL, usage.getModel());
      span.setAttribute(GenAiAttributes.INPUT_TOKENS, (long) usage.getUsage().getInputTokens());
      span.setAttribute(GenAiAttributes.OUTPUT_TOKENS, (long) usage.getUsage().getOutputTokens());
      span.setAttribute(COST_MICROS, priced.costMicros());
      span.setAttribute(COUNTERFACTUAL_MICROS, priced.counterfactualMicros());
      span.setAttribute(PRICED, priced.priced());
      span.setAttribute(DUPLICATE, priced.duplicate());
    }
    span.end();
  }
}
