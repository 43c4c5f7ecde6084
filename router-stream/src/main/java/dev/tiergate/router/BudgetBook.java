package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import java.time.Instant;

/**
 * What accounting has booked against a budget, as the router reads it from {@code
 * tiergate.budget-state}: the spend of the current period, and whether a given usage is in it.
 */
interface BudgetBook {

  /** Spend of the budget's current period (0 before any usage, or when the period has rolled over). */
  long spent(Budget budget, Instant now);

  /** True when the usage at {@code partition}/{@code offset} of {@code tiergate.usage} is booked. */
  boolean booked(String budgetId, int partition, long offset);
}
