package dev.tiergate.accounting;

import dev.tiergate.schemas.BudgetAlert;
import dev.tiergate.schemas.BudgetState;
import java.util.Objects;

/**
 * What the budget tracker emits for one budget: a new state for the router (null for a tombstone
 * when the budget was deleted), or an alert. One type so one processor can emit both; split right
 * after it and keyed by budget id, which is what the router and alert readers look up.
 */
record BudgetUpdate(String budgetId, BudgetState state, BudgetAlert alert) {

  BudgetUpdate {
    Objects.requireNonNull(budgetId, "budgetId");
  }

  static BudgetUpdate state(final BudgetState state) {
    return new BudgetUpdate(state.getBudget().getBudgetId(), state, null);
  }

  static BudgetUpdate deleted(final String budgetId) {
    return new BudgetUpdate(budgetId, null, null);
  }

  static BudgetUpdate alert(final BudgetAlert alert) {
    return new BudgetUpdate(alert.getBudgetId(), null, alert);
  }

  boolean isAlert() {
    return alert != null;
  }
}
