package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.at;
import static dev.tiergate.accounting.TopologyFixture.budget;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetAlert;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets: state for the router, one alert per threshold and period, rollover, overshoot. */
class BudgetTopologyTest {

  /** 100 output tokens on gpt-5 ($10/M): exactly 1,000 micro-dollars. */
  private static final long REQUEST_MICROS = 1_000;

  @TempDir Path stateDir;

  private TopologyFixture fx;
  private int requests;

  @BeforeEach
  void start() {
    fx = TopologyFixture.start(stateDir);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void raisesEachThresholdOnceAndPublishesTheState() {
    fx.budgets.pipeInput("b_month",
        budget("b_month", "t", null, BudgetPeriod.MONTH, 10_000, BudgetAction.REJECT));

    spend("t", "plan", 4);
    assertThat(fx.alerts.isEmpty()).isTrue();
    spend("t", "plan", 1); // 5,000 = 50%
    spend("t", "plan", 3); // 8,000 = 80%
    spend("t", "plan", 2); // 10,000 = 100%
    spend("t", "plan", 3); // 13,000: nothing new

    assertThat(fx.alerts.readValuesToList())
        .extracting(BudgetAlert::getThresholdPercent)
        .containsExactly(50, 80, 100);
    final BudgetState state = fx.latestStates().get("b_month");
    assertThat(state.getSpentMicros()).isEqualTo(13_000);
    assertThat(state.getExhausted()).isTrue();
    assertThat(state.getPeriodStart()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
    assertThat(state.getBudget().getAction()).isEqualTo(BudgetAction.REJECT);
  }

  @Test
  void oneLargeRequestRaisesEveryThresholdItCrosses() {
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.DAY, 1_000, BudgetAction.ALERT));

    spend("t", "plan", 1);

    final List<BudgetAlert> alerts = fx.alerts.readValuesToList();
    assertThat(alerts).extracting(BudgetAlert::getThresholdPercent).containsExactly(50, 80, 100);
    assertThat(alerts.get(0).getLimitMicros()).isEqualTo(1_000);
    assertThat(alerts.get(0).getSpentMicros()).isEqualTo(1_000);
    assertThat(fx.alerts.isEmpty()).isTrue();
  }

  @Test
  void countsOnlyTheModeOrFeatureABudgetNames() {
    fx.budgets.pipeInput("b_plan",
        budget("b_plan", "t", "plan", BudgetPeriod.DAY, 100_000, BudgetAction.DOWNGRADE));
    fx.budgets.pipeInput("b_other",
        budget("b_other", "other", null, BudgetPeriod.DAY, 100_000, BudgetAction.ALERT));

    spend("t", "plan", 2);
    spend("t", "code", 5);

    final Map<String, BudgetState> states = fx.latestStates();
    assertThat(states.get("b_plan").getSpentMicros()).isEqualTo(2 * REQUEST_MICROS);
    assertThat(states).doesNotContainKey("b_other");
  }

  @Test
  void startsEveryPeriodAtZeroAndAlertsAgainInIt() {
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.DAY, 2_000, BudgetAction.REJECT));
    spend("t", "plan", 2);
    assertThat(fx.latestStates().get("b").getExhausted()).isTrue();

    fx.send(at(event("req_next_day", "t", "plan", GPT, usage(0, 0, 100, 0)),
        Instant.parse("2025-06-02T09:00:00Z")));

    final BudgetState nextDay = fx.latestStates().get("b");
    assertThat(nextDay.getPeriodStart()).isEqualTo(Instant.parse("2025-06-02T00:00:00Z"));
    assertThat(nextDay.getSpentMicros()).isEqualTo(REQUEST_MICROS);
    assertThat(nextDay.getExhausted()).isFalse();
    assertThat(fx.alerts.readValuesToList())
        .extracting(BudgetAlert::getThresholdPercent, a -> a.getPeriodStart().toString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(50, "2025-06-01T00:00:00Z"),
            org.assertj.core.groups.Tuple.tuple(80, "2025-06-01T00:00:00Z"),
            org.assertj.core.groups.Tuple.tuple(100, "2025-06-01T00:00:00Z"),
            org.assertj.core.groups.Tuple.tuple(50, "2025-06-02T00:00:00Z"));
  }

  @Test
  void rollsAnExhaustedBudgetOverAtMidnightWithoutWaitingForUsage() {
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.DAY, 1_000, BudgetAction.REJECT));
    spend("t", "plan", 1);
    assertThat(fx.latestStates().get("b").getExhausted()).isTrue();

    // The driver's wall clock starts at 2025-06-01T12:00Z; move it past midnight.
    fx.driver.advanceWallClockTime(Duration.ofHours(12).plusMinutes(1));

    final BudgetState reset = fx.latestStates().get("b");
    assertThat(reset.getExhausted()).isFalse();
    assertThat(reset.getSpentMicros()).isZero();
    assertThat(reset.getPeriodStart()).isEqualTo(Instant.parse("2025-06-02T00:00:00Z"));
  }

  @Test
  void appliesARaisedLimitAndDeletesTheStateOfADeletedBudget() {
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.MONTH, 1_000, BudgetAction.REJECT));
    spend("t", "plan", 1);
    assertThat(fx.latestStates().get("b").getExhausted()).isTrue();

    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.MONTH, 5_000, BudgetAction.REJECT));
    fx.driver.advanceWallClockTime(Duration.ofSeconds(6));
    final BudgetState raised = fx.latestStates().get("b");
    assertThat(raised.getExhausted()).isFalse();
    assertThat(raised.getSpentMicros()).isEqualTo(REQUEST_MICROS);

    fx.budgets.pipeInput("b", null);
    fx.driver.advanceWallClockTime(Duration.ofSeconds(6));
    final List<KeyValue<String, BudgetState>> updates = fx.budgetState.readKeyValuesToList();
    assertThat(updates.get(updates.size() - 1)).isEqualTo(KeyValue.pair("b", null));
  }

  /**
   * The accounting side of the overshoot bound: the state turns exhausted on the very request that
   * reaches the limit, so the spend it reports beyond a hard limit is less than one request's cost;
   * every state before it is below the limit and not exhausted. (What the router lets through
   * while this state travels to it is bounded in the README.)
   */
  @Test
  void turnsExhaustedOnTheRequestThatReachesTheLimit() {
    final long limit = 10_500;
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.MONTH, limit, BudgetAction.REJECT));

    spend("t", "plan", 12);

    final List<TestRecord<String, BudgetState>> states = fx.budgetState.readRecordsToList();
    final BudgetState firstExhausted = states.stream().map(TestRecord::value)
        .filter(BudgetState::getExhausted).findFirst().orElseThrow();
    assertThat(firstExhausted.getSpentMicros()).isEqualTo(11_000);
    assertThat(firstExhausted.getSpentMicros() - limit).isLessThan(REQUEST_MICROS);
    assertThat(states.stream().map(TestRecord::value)
            .filter(s -> s.getSpentMicros() < limit))
        .allMatch(s -> !s.getExhausted());
  }

  /**
   * What lets the router release a reservation without counting a cost twice or missing it: each
   * state names the highest usage offset it has booked, and a usage of another period (not
   * counted) still moves that mark.
   */
  @Test
  void eachStateSaysUpToWhichUsageOffsetItHasBooked() {
    fx.budgets.pipeInput("b", budget("b", "t", null, BudgetPeriod.DAY, 100_000, BudgetAction.REJECT));

    spend("t", "plan", 3);
    fx.send(at(event("req_yesterday", "t", "plan", GPT, usage(0, 0, 100, 0)),
        Instant.parse("2025-05-31T23:00:00Z")));

    final List<BudgetState> states = fx.budgetState.readValuesToList();
    assertThat(states).extracting(state -> state.getBookedUsageOffsets().get("0"))
        .containsExactly(0L, 1L, 2L, 3L);
    assertThat(states).extracting(BudgetState::getSpentMicros)
        .containsExactly(REQUEST_MICROS, 2 * REQUEST_MICROS, 3 * REQUEST_MICROS, 3 * REQUEST_MICROS);
  }

  /**
   * Budgets are read through an index by tenant: a budget added, changed or deleted between two
   * usages of its tenant counts from the very next usage, as when every usage scanned the table.
   */
  @Test
  void aBudgetChangedBetweenTwoUsagesCountsFromTheNextOne() {
    fx.budgets.pipeInput("b", budget("b", "t", "plan", BudgetPeriod.DAY, 100_000, BudgetAction.ALERT));
    spend("t", "plan", 1);

    fx.budgets.pipeInput("b", budget("b", "t", "code", BudgetPeriod.DAY, 100_000, BudgetAction.ALERT));
    fx.budgets.pipeInput("b_new",
        budget("b_new", "t", null, BudgetPeriod.DAY, 100_000, BudgetAction.ALERT));
    spend("t", "plan", 1);
    spend("t", "code", 1);

    fx.budgets.pipeInput("b_new", null);
    fx.budgets.pipeInput("b", budget("b", "other", null, BudgetPeriod.DAY, 100_000, BudgetAction.ALERT));
    spend("t", "code", 1);

    assertThat(fx.budgetState.readKeyValuesToList())
        .extracting(update -> update.key + "=" + update.value.getSpentMicros())
        .containsExactly("b=1000", "b_new=1000", "b=2000", "b_new=2000");
  }

  private void spend(final String tenant, final String mode, final int count) {
    for (int i = 0; i < count; i++) {
      final UsageEvent usage =
          event("req_" + (++requests), tenant, mode, GPT, usage(0, 0, 100, 0));
      fx.send(usage);
    }
  }
}
