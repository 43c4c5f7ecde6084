package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.RoutingDecision;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Which hard budgets a routed request reserves against, and when a budget's period began. */
final class RejectBudgets {

  private RejectBudgets() {}

  /** The tenant's REJECT budgets that cover the request (same rule as {@link BudgetGuard}). */
  static List<Budget> covering(
      final List<Budget> tenantBudgets,
      final String tenant,
      final RoutingDecision decision,
      final String feature) {
    final Optional<String> mode = RouteResolver.NO_MODE.equals(decision.getMode())
        ? Optional.empty() : Optional.of(decision.getMode());
    final List<Budget> covering = new ArrayList<>();
    for (final Budget budget : tenantBudgets) {
      if (budget.getAction() == BudgetAction.REJECT
          && BudgetGuard.applies(budget, tenant, mode, feature)) {
        covering.add(budget);
      }
    }
    return covering;
  }

  /** The start of the budget's current UTC day or month, as accounting counts it. */
  static Instant periodStart(final BudgetPeriod period, final Instant now) {
    final ZonedDateTime day = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    return (period == BudgetPeriod.DAY ? day : day.withDayOfMonth(1)).toInstant();
  }
}
