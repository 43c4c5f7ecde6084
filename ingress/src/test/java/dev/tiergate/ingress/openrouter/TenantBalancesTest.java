package dev.tiergate.ingress.openrouter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TenantBalancesTest {

  private static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant TODAY = Instant.parse("2026-03-15T00:00:00Z");

  private static Budget budget(
      final String id, final String tenant, final String mode, final BudgetPeriod period,
      final long limit) {
    return Budget.newBuilder()
        .setBudgetId(id).setTenant(tenant).setMode(mode).setPeriod(period)
        .setLimitMicros(limit).setAction(BudgetAction.REJECT)
        .build();
  }

  private static BudgetState state(final Budget budget, final Instant periodStart, final long spent) {
    return BudgetState.newBuilder()
        .setBudget(budget).setPeriodStart(periodStart).setSpentMicros(spent)
        .setExhausted(spent >= budget.getLimitMicros()).setUpdatedAt(NOW)
        .build();
  }

  private static TenantBalances balances(
      final Map<String, Budget> budgets, final Map<String, BudgetState> states) {
    return new TenantBalances(
        LiveTable.fixed(Topics.BUDGETS.name(), budgets),
        LiveTable.fixed(Topics.BUDGET_STATE.name(), states),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void reportsTheTightestTenantWideBudgetInItsCurrentPeriod() {
    final Budget monthly = budget("b-month", "acme", null, BudgetPeriod.MONTH, 50_000_000L);
    final Budget daily = budget("b-day", "acme", null, BudgetPeriod.DAY, 5_000_000L);
    final Budget planOnly = budget("b-plan", "acme", "plan", BudgetPeriod.DAY, 1_000L);
    final Budget other = budget("b-other", "beta", null, BudgetPeriod.DAY, 10L);
    final TenantBalances balances = balances(
        Map.of("b-month", monthly, "b-day", daily, "b-plan", planOnly, "b-other", other),
        Map.of("b-month", state(monthly, MARCH, 48_000_000L),
            "b-day", state(daily, TODAY, 1_500_000L)));

    // Month: 2.0 $ left; day: 3.5 $ left; the plan-only budget caps plan requests only.
    assertThat(balances.remainingMicros("acme")).isEqualTo(OptionalLong.of(2_000_000L));
  }

  @Test
  void countsSpendOfAnEarlierPeriodAsZeroAndNeverGoesBelowZero() {
    final Budget daily = budget("b-day", "acme", null, BudgetPeriod.DAY, 5_000_000L);
    final Budget monthly = budget("b-month", "acme", null, BudgetPeriod.MONTH, 1_000_000L);
    final TenantBalances yesterday = balances(Map.of("b-day", daily),
        Map.of("b-day", state(daily, TODAY.minusSeconds(86_400), 9_000_000L)));
    final TenantBalances overspent = balances(Map.of("b-month", monthly),
        Map.of("b-month", state(monthly, MARCH, 1_200_000L)));

    assertThat(yesterday.remainingMicros("acme")).isEqualTo(OptionalLong.of(5_000_000L));
    assertThat(overspent.remainingMicros("acme")).isEqualTo(OptionalLong.of(0L));
  }

  @Test
  void hasNoLimitWithoutATenantWideBudget() {
    final Budget planOnly = budget("b-plan", "acme", "plan", BudgetPeriod.DAY, 1_000L);
    assertThat(balances(Map.of("b-plan", planOnly), Map.of()).remainingMicros("acme"))
        .isEmpty();
  }

  @Test
  void startsPeriodsAtTheUtcDayAndMonth() {
    assertThat(TenantBalances.periodStart(BudgetPeriod.DAY, NOW)).isEqualTo(TODAY);
    assertThat(TenantBalances.periodStart(BudgetPeriod.MONTH, NOW)).isEqualTo(MARCH);
  }
}
