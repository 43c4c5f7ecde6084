package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns one priced usage into a spend delta for every budget that covers it, keyed by tenant and budget id
 * ({@link BudgetRules#storeKey}). The
 * delta is a {@link BudgetState} of this one request (its cost as {@code spentMicros}), so the
 * repartition topic needs no type of its own. Every budget is scanned per usage: budgets are few (a
 * handful per tenant), and the scan reads the local copy of the global table, not the network.
 */
final class BudgetMatcher extends ContextualProcessor<String, PricedUsage, String, BudgetState> {

  @Override
  public void process(final Record<String, PricedUsage> record) {
    final PricedUsage priced = record.value();
    if (priced.costMicros() == 0) {
      return;
    }
    final Instant at = priced.usage().getOccurredAt();
    for (final KeyValue<String, Budget> entry :
        GlobalStores.<Budget>all(context(), AccountingTopology.BUDGETS_STORE)) {
      final Budget budget = entry.value;
      if (BudgetRules.covers(budget, priced.usage())) {
        final BudgetState delta = BudgetState.newBuilder()
            .setBudget(budget)
            .setPeriodStart(BudgetRules.periodStart(budget.getPeriod(), at))
            .setSpentMicros(priced.costMicros())
            .setExhausted(false)
            .setUpdatedAt(at)
            .build();
        context().forward(record
            .withKey(BudgetRules.storeKey(budget.getTenant(), budget.getBudgetId()))
            .withValue(delta));
      }
    }
  }
}
