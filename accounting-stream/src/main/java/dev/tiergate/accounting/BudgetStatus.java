package dev.tiergate.accounting;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import java.time.Instant;

/**
 * One budget as the query API and the dashboard show it: its definition and the spend of its
 * current period. A budget that has seen no spend yet this period shows 0.
 */
@JsonPropertyOrder({
  "budgetId", "tenant", "mode", "feature", "period", "action", "limitMicros", "limitUsd",
  "periodStart", "spentMicros", "spentUsd", "percent", "exhausted"
})
public record BudgetStatus(
    String budgetId,
    String tenant,
    String mode,
    String feature,
    String period,
    String action,
    long limitMicros,
    String limitUsd,
    String periodStart,
    long spentMicros,
    String spentUsd,
    long percent,
    boolean exhausted) {

  /** The status at {@code at}; a state from an earlier period counts as nothing spent. */
  static BudgetStatus of(final Budget budget, final BudgetState state, final Instant at) {
    final Instant periodStart = BudgetRules.periodStart(budget.getPeriod(), at);
    final long spent = state != null && state.getPeriodStart().equals(periodStart)
        ? state.getSpentMicros() : 0;
    return new BudgetStatus(
        budget.getBudgetId(), budget.getTenant(), budget.getMode(), budget.getFeature(),
        budget.getPeriod().name(), budget.getAction().name(),
        budget.getLimitMicros(), SpendReport.usd(budget.getLimitMicros()),
        periodStart.toString(), spent, SpendReport.usd(spent),
        BudgetRules.percent(spent, budget.getLimitMicros()),
        BudgetRules.exhausted(spent, budget.getLimitMicros()));
  }
}
