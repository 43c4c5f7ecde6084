package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link BudgetBook} over the router's copy of {@code tiergate.budget-state}. One record holds both
 * the spend and the usage it includes, so the two are always read consistently.
 */
final class StoreBudgetBook implements BudgetBook {

  private final TimestampedKeyValueStore<String, BudgetState> states;

  StoreBudgetBook(final TimestampedKeyValueStore<String, BudgetState> states) {
    this.states = Objects.requireNonNull(states, "states");
  }

  @Override
  public long spent(final Budget budget, final Instant now) {
    final BudgetState state = state(budget.getBudgetId());
    if (state == null
        || state.getPeriodStart().isBefore(RejectBudgets.periodStart(budget.getPeriod(), now))) {
      return 0; // no usage yet, or a period accounting has not rolled over yet
    }
    return state.getSpentMicros();
  }

  @Override
  public boolean booked(final String budgetId, final int partition, final long offset) {
    final BudgetState state = state(budgetId);
    if (state == null) {
      return false;
    }
    final Long mark = state.getBookedUsageOffsets().get(Integer.toString(partition));
    return mark != null && mark >= offset;
  }

  private BudgetState state(final String budgetId) {
    final ValueAndTimestamp<BudgetState> entry = states.get(budgetId);
    return entry == null ? null : entry.value();
  }
}
