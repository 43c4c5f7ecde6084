package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.Topics;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns one priced usage into a spend delta for every budget that covers it, keyed by tenant and budget id
 * ({@link BudgetRules#storeKey}). The
 * delta is a {@link BudgetState} of this one request (its cost as {@code spentMicros}), so the
 * repartition topic needs no type of its own. The budgets are read from the local copy of the
 * global table, indexed by tenant ({@link BudgetsByTenant}): a usage reads only its own tenant's
 * budgets, and the index is built again whenever the table has changed since, so a changed, new
 * or deleted budget counts from the next usage on, as with a scan per usage.
 *
 * <p>The delta also carries where the usage sits on {@code tiergate.usage} (partition → offset), so
 * the published state says which usage it has booked: the router releases a request's
 * reservation exactly when its cost is in the spend it reads. This step must stay in the
 * sub-topology that reads {@code tiergate.usage} (no repartition before it) for the offset to be
 * the usage's own; elsewhere no mark is set and reservations fall back to their release time.
 */
final class BudgetMatcher extends ContextualProcessor<String, PricedUsage, String, BudgetState> {

  private final String budgetsStore;
  private BudgetsByTenant budgets;

  /** @param budgetsStore the budgets' global store */
  BudgetMatcher(final String budgetsStore) {
    this.budgetsStore = Objects.requireNonNull(budgetsStore, "budgetsStore");
  }

  @Override
  public void init(final ProcessorContext<String, BudgetState> context) {
    super.init(context);
    budgets = new BudgetsByTenant(context.getStateStore(budgetsStore));
  }

  @Override
  public void process(final Record<String, PricedUsage> record) {
    final PricedUsage priced = record.value();
    if (priced.costMicros() == 0) {
      return;
    }
    final Instant at = priced.usage().getOccurredAt();
    final Map<String, Long> booked = usageOffset();
    for (final Budget budget : budgets.of(priced.usage().getTenant())) {
      if (BudgetRules.covers(budget, priced.usage())) {
        final BudgetState delta = BudgetState.newBuilder()
            .setBudget(budget)
            .setPeriodStart(BudgetRules.periodStart(budget.getPeriod(), at))
            .setSpentMicros(priced.costMicros())
            .setExhausted(false)
            .setUpdatedAt(at)
            .setBookedUsageOffsets(booked)
            .build();
        context().forward(record
            .withKey(BudgetRules.storeKey(budget.getTenant(), budget.getBudgetId()))
            .withValue(delta));
      }
    }
  }

  /** The usage's own partition and offset, when this record came straight from the usage topic. */
  private Map<String, Long> usageOffset() {
    return context().recordMetadata()
        .filter(meta -> Topics.USAGE.name().equals(meta.topic()))
        .map(meta -> Map.of(Integer.toString(meta.partition()), meta.offset()))
        .orElse(Map.of());
  }
}
