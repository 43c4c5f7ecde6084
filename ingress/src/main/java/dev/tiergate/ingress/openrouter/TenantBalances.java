package dev.tiergate.ingress.openrouter;

import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a tenant may still spend: the remaining amount of its tightest tenant-wide budget in the
 * current period, read from the compacted {@code tiergate.budgets} (limits) and {@code
 * tiergate.budget-state} (spend, written by accounting): the same records the router enforces
 * budgets from, so the ingress needs no call to accounting. Budgets scoped to one mode or feature
 * do not cap the tenant's other requests and are left out.
 *
 * @param budgets the budget limits, by budget id
 * @param states the spend booked against each budget, by budget id
 * @param clock tells which period is current
 */
public record TenantBalances(
    LiveTable<Budget> budgets, LiveTable<BudgetState> states, Clock clock) {

  public TenantBalances {
    Objects.requireNonNull(budgets, "budgets");
    Objects.requireNonNull(states, "states");
    Objects.requireNonNull(clock, "clock");
  }

  /** Both tables have been read to their end: before that a balance could miss a budget. */
  boolean isCaughtUp() {
    return budgets.isCaughtUp() && states.isCaughtUp();
  }

  /**
   * The least any tenant-wide budget of the tenant has left in its current period (never below
   * zero), or empty when no such budget exists.
   */
  OptionalLong remainingMicros(final String tenant) {
    final Instant now = clock.instant();
    return budgets.snapshot().values().stream()
        .filter(budget -> budget.getTenant().equals(tenant))
        .filter(budget -> budget.getMode() == null && budget.getFeature() == null)
        .mapToLong(budget -> Math.max(0, budget.getLimitMicros() - spentMicros(budget, now)))
        .min();
  }

  /** Spend recorded in the budget's current period; a state from an earlier period counts zero. */
  private long spentMicros(final Budget budget, final Instant now) {
    return states.get(budget.getBudgetId())
        .filter(state -> state.getPeriodStart().equals(periodStart(budget.getPeriod(), now)))
        .map(BudgetState::getSpentMicros)
        .orElse(0L);
  }

  /** The UTC day or month holding {@code at}: the same periods accounting books budgets in. */
  static Instant periodStart(final BudgetPeriod period, final Instant at) {
    if (period == BudgetPeriod.DAY) {
      return at.truncatedTo(ChronoUnit.DAYS);
    }
    return LocalDate.ofInstant(at, ZoneOffset.UTC).withDayOfMonth(1)
        .atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
