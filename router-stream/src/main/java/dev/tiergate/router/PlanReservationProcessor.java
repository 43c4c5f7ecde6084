package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Sizes the reservation of a routed request covered by a REJECT budget ({@link CostBound}) and
 * puts it on {@code decision.reservedMicros}, with a clause in the reason; a request no hard budget
 * covers passes unchanged (0), so it skips the reservation step and its repartition. Reads only
 * global stores, so it runs in the request's own task, before the hop to the tenant's.
 */
final class PlanReservationProcessor
    implements FixedKeyProcessor<String, RoutedRequest, RoutedRequest> {

  private final RouterConfig.Policy policy;
  private final TokenEstimator tokens;
  private final StoreNames stores;
  private final CostBound bounds;
  private FixedKeyProcessorContext<String, RoutedRequest> context;
  private BudgetIndex<Budget> budgets;
  private TimestampedKeyValueStore<String, ModelSpec> models;

  PlanReservationProcessor(
      final RouterConfig.Policy policy, final TokenEstimator tokens, final StoreNames stores) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.stores = Objects.requireNonNull(stores, "stores");
    this.bounds = new CostBound(policy.reservations());
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, RoutedRequest> context) {
    this.context = context;
    this.budgets = BudgetIndex.ofBudgets(
        context.getStateStore(stores.budgets()), policy.budgetRefresh().toMillis());
    this.models = context.getStateStore(stores.models());
  }

  @Override
  public void process(final FixedKeyRecord<String, RoutedRequest> record) {
    final RoutedRequest routed = record.value();
    final ChatRequest request = routed.getRequest();
    final List<Budget> covering = RejectBudgets.covering(
        budgets.budgets(request.getTenant(), context.currentSystemTimeMs()),
        request.getTenant(), routed.getDecision(), request.getFeature());
    if (covering.isEmpty()) {
      context.forward(record);
      return;
    }
    final CostBound.Bound bound = bounds.of(request, tokens.inputTokens(request),
        routed.getDecision().getModelChain(), this::model);
    if (bound.micros() == 0) {
      context.forward(record);
      return;
    }
    final RoutingDecision decision = RoutingDecision.newBuilder(routed.getDecision())
        .setReservedMicros(bound.micros())
        .setReason(routed.getDecision().getReason() + "; " + clause(bound, covering))
        .build();
    context.forward(record.withValue(
        RoutedRequest.newBuilder().setRequest(request).setDecision(decision).build()));
  }

  private static String clause(final CostBound.Bound bound, final List<Budget> covering) {
    return String.format(Locale.ROOT, "reserves %s USD (%d input + %d output tokens on %s) against %s",
        usd(bound.micros()), bound.inputTokens(), bound.outputTokens(), bound.model(),
        covering.stream().map(Budget::getBudgetId).collect(Collectors.joining(", ")));
  }

  static String usd(final long micros) {
    return BigDecimal.valueOf(micros, 6).toPlainString();
  }

  private ModelSpec model(final String id) {
    final ValueAndTimestamp<ModelSpec> entry = models.get(id);
    return entry == null ? null : entry.value();
  }
}
