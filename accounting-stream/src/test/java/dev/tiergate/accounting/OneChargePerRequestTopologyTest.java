package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.MINI;
import static dev.tiergate.accounting.TopologyFixture.at;
import static dev.tiergate.accounting.TopologyFixture.budget;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One charge per request: the first usage of a correlation id is billed, further ones are platform
 * cost ({@code duplicateRequests}, {@code duplicateCostMicros}), kept out of the tenant's cost,
 * tokens, requests and budgets.
 */
class OneChargePerRequestTopologyTest {

  /** 100 output tokens on gpt-5 ($10/M): 1,000 micro-dollars. */
  private static final UsageEvent FIRST = event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0));
  /** The same request served again on gpt-5-mini, 300 output tokens ($2/M): 600 micro-dollars. */
  private static final UsageEvent SECOND = event("req_1", "t", "plan", MINI, usage(0, 0, 300, 0));

  @TempDir Path stateDir;

  private TopologyFixture fx;

  @BeforeEach
  void start() {
    fx = TopologyFixture.start(stateDir);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void secondUsageForACorrelationIdIsPlatformCostNotBilled() {
    fx.send(FIRST);
    fx.send(SECOND);

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(1);
    assertThat(plan.getCostMicros()).isEqualTo(1_000);
    assertThat(plan.getOutputTokens()).isEqualTo(100);
    assertThat(plan.getCounterfactualMicros()).isEqualTo(1_000);
    assertThat(plan.getDuplicateRequests()).isEqualTo(1);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(600);
    // The duplicate's own model row shows the platform cost and no billed request.
    final SpendAggregate mini = fx.total("t", SpendDimension.MODEL, MINI);
    assertThat(mini.getRequests()).isZero();
    assertThat(mini.getCostMicros()).isZero();
    assertThat(mini.getDuplicateCostMicros()).isEqualTo(600);
    // Every window agrees.
    final SpendAggregate day = fx.windowed(SpendWindow.DAY, "t", SpendDimension.MODE, "plan",
        Instant.parse("2025-06-01T00:00:00Z"));
    assertThat(day.getCostMicros()).isEqualTo(1_000);
    assertThat(day.getDuplicateCostMicros()).isEqualTo(600);
  }

  @Test
  void aThirdCallIsPlatformCostTooAndOtherRequestsAreBilled() {
    fx.send(FIRST);
    fx.send(SECOND);
    fx.send(SECOND);
    fx.send(event("req_2", "t", "plan", GPT, usage(0, 0, 100, 0)));

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(2);
    assertThat(plan.getCostMicros()).isEqualTo(2_000);
    assertThat(plan.getDuplicateRequests()).isEqualTo(2);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(1_200);
  }

  @Test
  void duplicatesInOneIntervalAreSummedApart() {
    fx.sendWithoutFlush(FIRST);
    fx.sendWithoutFlush(SECOND);
    fx.flush();

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getCostMicros()).isEqualTo(1_000);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(600);
  }

  @Test
  void firstWinsEvenWhenItIsCancelledOrInterrupted() {
    // A cut call is a real charge: it is the one billed, the complete retry is platform cost.
    final UsageEvent cancelled = UsageEvent.newBuilder(FIRST)
        .setCancelled(true).setInterrupted(true).build();
    fx.send(cancelled);
    fx.send(SECOND);

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(1);
    assertThat(plan.getCostMicros()).isEqualTo(1_000);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(600);
  }

  @Test
  void firstToArriveWinsEvenWithTheLaterEventTime() {
    // The call that reached the topic second finished first: arrival order decides, not clocks.
    fx.send(at(FIRST, TestData.AT.plusSeconds(30)));
    fx.send(at(SECOND, TestData.AT));

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getCostMicros()).isEqualTo(1_000);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(600);
  }

  @Test
  void dedupForgetsAfterRetention() {
    // The requests topic's retention (Topics.REQUESTS), which UsageDeduplicator.RETENTION follows.
    final Duration retention = Duration.ofDays(7);
    fx.send(FIRST);
    // Within the retention: still a duplicate.
    fx.send(at(SECOND, TestData.AT.plus(retention).minusSeconds(1)));
    // Past it the id is forgotten: the requests topic no longer holds the request, so a usage
    // this late is billed like a new one.
    fx.send(at(SECOND, TestData.AT.plus(retention).plusSeconds(1)));

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(2);
    assertThat(plan.getCostMicros()).isEqualTo(1_600);
    assertThat(plan.getDuplicateRequests()).isEqualTo(1);
    assertThat(plan.getDuplicateCostMicros()).isEqualTo(600);
  }

  @Test
  void budgetStateCountsOnlyTheBilledUsage() {
    fx.budgets.pipeInput("b",
        budget("b", "t", null, BudgetPeriod.DAY, 1_500, BudgetAction.REJECT));

    fx.send(FIRST);
    fx.send(SECOND);

    final BudgetState state = fx.latestStates().get("b");
    assertThat(state.getSpentMicros()).isEqualTo(1_000);
    assertThat(state.getExhausted()).isFalse();
    // Only the 50% alert: the duplicate's 600 would have crossed 80% and 100%.
    assertThat(fx.alerts.readValuesToList()).hasSize(1);
    fx.send(SECOND);
    assertThat(fx.budgetState.isEmpty()).isTrue();
  }
}
