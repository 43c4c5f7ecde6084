package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAlert;
import dev.tiergate.schemas.BudgetState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps each budget's spend in its current period and publishes it. Spend deltas arrive keyed by
 * tenant and budget id; every change yields the new {@link BudgetState}, and each 50/80/100% threshold yields
 * one alert per period (the highest threshold raised is stored, so a restart or a replay after a
 * crash never raises one twice: both stores are changelogged inside the same transaction as the
 * output). A wall-clock check also republishes states whose period rolled over (spend back to 0, so
 * a budget rejected yesterday does not stay rejected) or whose budget was changed or deleted.
 * Each state carries the highest usage offset per usage partition it has booked ({@link
 * BookedOffsets}), kept across periods, so the router can tell whether a request's cost is in it.
 */
final class BudgetTracker extends ContextualProcessor<String, BudgetState, String, BudgetUpdate> {

  private final Duration checkInterval;
  private final String statesStore;
  private final String alertsStore;
  private final String budgetsStore;
  private KeyValueStore<String, BudgetState> states;
  private KeyValueStore<String, String> raised;

  /**
   * @param statesStore each budget's state, changelogged
   * @param alertsStore the highest threshold raised per budget and period, changelogged
   * @param budgetsStore the budgets' global store
   */
  BudgetTracker(
      final Duration checkInterval,
      final String statesStore,
      final String alertsStore,
      final String budgetsStore) {
    this.checkInterval = checkInterval;
    this.statesStore = statesStore;
    this.alertsStore = alertsStore;
    this.budgetsStore = budgetsStore;
  }

  @Override
  public void init(final ProcessorContext<String, BudgetUpdate> context) {
    super.init(context);
    states = context.getStateStore(statesStore);
    raised = context.getStateStore(alertsStore);
    context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, this::check);
  }

  @Override
  public void process(final Record<String, BudgetState> record) {
    final BudgetState delta = record.value();
    final BudgetState current = states.get(record.key());
    final long periodStart = delta.getPeriodStart().toEpochMilli();
    final Map<String, Long> booked = BookedOffsets.merge(
        current == null ? Map.of() : current.getBookedUsageOffsets(), delta.getBookedUsageOffsets());
    if (current != null && current.getPeriodStart().toEpochMilli() > periodStart) {
      // Late usage of a period already closed for this budget: not counted, but processed, so the
      // router may release its reservation.
      if (!booked.equals(current.getBookedUsageOffsets())) {
        publish(record.key(), current.getBudget(), current.getPeriodStart(),
            current.getSpentMicros(), current.getUpdatedAt(), booked);
      }
      return;
    }
    final long base =
        current == null || current.getPeriodStart().toEpochMilli() < periodStart
            ? 0 : current.getSpentMicros();
    final long spent = Math.addExact(base, delta.getSpentMicros());
    publish(record.key(), delta.getBudget(), delta.getPeriodStart(), spent, delta.getUpdatedAt(),
        booked);
  }

  /** Rolls periods over and applies changed or deleted budgets, without waiting for usage. */
  private void check(final long wallClockMillis) {
    final Instant now = Instant.ofEpochMilli(wallClockMillis);
    final List<KeyValue<String, BudgetState>> snapshot = new ArrayList<>();
    try (KeyValueIterator<String, BudgetState> rows = states.all()) {
      rows.forEachRemaining(snapshot::add);
    }
    for (final KeyValue<String, BudgetState> entry : snapshot) {
      final BudgetState state = entry.value;
      final String budgetId = state.getBudget().getBudgetId();
      final Budget budget = GlobalStores.get(context(), budgetsStore, budgetId);
      if (budget == null || !budget.getTenant().equals(state.getBudget().getTenant())) {
        states.delete(entry.key);
        raised.delete(entry.key);
        context().forward(new Record<>(entry.key, BudgetUpdate.deleted(budgetId), wallClockMillis));
      } else if (BudgetRules.periodStart(budget.getPeriod(), now).isAfter(state.getPeriodStart())) {
        publish(entry.key, budget, BudgetRules.periodStart(budget.getPeriod(), now), 0, now,
            state.getBookedUsageOffsets());
      } else if (!budget.equals(state.getBudget())) {
        publish(entry.key, budget, state.getPeriodStart(), state.getSpentMicros(), now,
            state.getBookedUsageOffsets());
      }
    }
  }

  private void publish(
      final String budgetId,
      final Budget budget,
      final Instant periodStart,
      final long spent,
      final Instant at,
      final Map<String, Long> booked) {
    final BudgetState next = BudgetState.newBuilder()
        .setBudget(budget)
        .setPeriodStart(periodStart)
        .setSpentMicros(spent)
        .setExhausted(BudgetRules.exhausted(spent, budget.getLimitMicros()))
        .setUpdatedAt(at)
        .setBookedUsageOffsets(booked)
        .build();
    states.put(budgetId, next);
    final long timestamp = at.toEpochMilli();
    context().forward(new Record<>(budgetId, BudgetUpdate.state(next), timestamp));
    raiseAlerts(budgetId, next, timestamp);
  }

  private void raiseAlerts(final String budgetId, final BudgetState state, final long timestamp) {
    final int reached =
        BudgetRules.reachedThreshold(state.getSpentMicros(), state.getBudget().getLimitMicros());
    final int alreadyRaised = alreadyRaised(budgetId, state.getPeriodStart());
    if (reached <= alreadyRaised) {
      return;
    }
    for (final int threshold : BudgetRules.THRESHOLDS) {
      if (threshold > alreadyRaised && threshold <= reached) {
        context().forward(
            new Record<>(budgetId, BudgetUpdate.alert(alert(state, threshold)), timestamp));
      }
    }
    raised.put(budgetId, state.getPeriodStart().toEpochMilli() + ":" + reached);
  }

  /** The highest threshold already raised for this budget in this period, 0 for none. */
  private int alreadyRaised(final String budgetId, final Instant periodStart) {
    final String entry = raised.get(budgetId);
    if (entry == null) {
      return 0;
    }
    final int colon = entry.indexOf(':');
    final long period = Long.parseLong(entry.substring(0, colon));
    return period == periodStart.toEpochMilli() ? Integer.parseInt(entry.substring(colon + 1)) : 0;
  }

  private static BudgetAlert alert(final BudgetState state, final int threshold) {
    final Budget budget = state.getBudget();
    return BudgetAlert.newBuilder()
        .setBudgetId(budget.getBudgetId())
        .setTenant(budget.getTenant())
        .setThresholdPercent(threshold)
        .setPeriodStart(state.getPeriodStart())
        .setSpentMicros(state.getSpentMicros())
        .setLimitMicros(budget.getLimitMicros())
        .setRaisedAt(state.getUpdatedAt())
        .build();
  }
}
