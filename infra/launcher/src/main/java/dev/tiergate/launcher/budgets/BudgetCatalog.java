package dev.tiergate.launcher.budgets;

import dev.tiergate.runtime.CompactedTopic;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Budgets on the compacted {@code tiergate.budgets} topic: written by {@link #put}/{@link #delete}
 * (a tombstone), read back whole by {@link #list}. The accounting stream picks a change up within
 * its budget check interval; the router reads the resulting state.
 */
public final class BudgetCatalog {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaSettings kafka;

  public BudgetCatalog(final KafkaSettings kafka) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
  }

  /** Creates or replaces a budget (same id = same budget). */
  public void put(final Budget budget) {
    Objects.requireNonNull(budget, "budget");
    send(budget.getBudgetId(), budget);
  }

  /** Deletes a budget; its state is tombstoned by the accounting stream. */
  public void delete(final String budgetId) {
    Objects.requireNonNull(budgetId, "budgetId");
    send(budgetId, null);
  }

  /** Every live budget, sorted by tenant then id. */
  public List<Budget> list() {
    final List<Budget> budgets =
        new ArrayList<>(CompactedTopic.read(kafka, Topics.BUDGETS, TIMEOUT).values());
    budgets.sort(Comparator.comparing(Budget::getTenant).thenComparing(Budget::getBudgetId));
    return budgets;
  }

  private void send(final String key, final Budget value) {
    // A singleton map, unlike Map.of, may hold the null of a tombstone.
    CompactedTopic.write(kafka, Topics.BUDGETS, Collections.singletonMap(key, value), TIMEOUT);
  }
}
