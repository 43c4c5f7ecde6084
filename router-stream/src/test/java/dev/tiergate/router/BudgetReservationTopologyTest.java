package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budget reservations in the router topology: a request covered by a REJECT budget reserves its
 * cost bound before it is routed; what does not fit in limit − spent − outstanding is refused with
 * insufficient_quota; a reservation ends when the budget state includes the request's usage, or at
 * its release time.
 */
class BudgetReservationTopologyTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final String TENANT = "acme";
  private static final String BUDGET = "bud_acme_day";

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, ChatRequest> requests;
  private TestInputTopic<String, Budget> budgets;
  private TestInputTopic<String, BudgetState> budgetStates;
  private TestInputTopic<String, UsageEvent> usage;
  private TestOutputTopic<String, RoutedRequest> routed;
  private TestOutputTopic<String, ChatResponse> responses;
  private int sequence;

  @BeforeEach
  void startDriver() {
    final RouterConfig config =
        RouterConfig.defaults(KafkaSettings.of("localhost:9092", "http://localhost:8081"))
            .withStateDir(stateDir)
            .withPolicy(RouterConfig.Policy.defaults().withPredict(false)
                .withBudgetRefresh(Duration.ZERO));
    driver = new TopologyTestDriver(
        RouterTopology.build(SERDES, config), config.streamsProperties(), NOW);
    requests = input(Topics.REQUESTS.name(), Topics.REQUESTS.valueSerde(SERDES));
    budgets = input(Topics.BUDGETS.name(), Topics.BUDGETS.valueSerde(SERDES));
    budgetStates = input(Topics.BUDGET_STATE.name(), Topics.BUDGET_STATE.valueSerde(SERDES));
    usage = input(Topics.USAGE.name(), Topics.USAGE.valueSerde(SERDES));
    routed = driver.createOutputTopic(Topics.ROUTED.name(),
        Topics.ROUTED.keySerde().deserializer(), Topics.ROUTED.valueSerde(SERDES).deserializer());
    responses = driver.createOutputTopic(Topics.RESPONSES.name(),
        Topics.RESPONSES.keySerde().deserializer(),
        Topics.RESPONSES.valueSerde(SERDES).deserializer());
    final DefaultRoutingTable table = DefaultRoutingTable.load();
    final TestInputTopic<String, Route> routes =
        input(Topics.ROUTES.name(), Topics.ROUTES.valueSerde(SERDES));
    table.routes().forEach(routes::pipeInput);
    final TestInputTopic<String, ModelSpec> models =
        input(Topics.MODELS.name(), Topics.MODELS.valueSerde(SERDES));
    table.models().forEach(models::pipeInput);
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void admitsRequestsWhileTheirBoundsFitThenRefusesWithInsufficientQuota() {
    final long bound = boundOfOne();
    rejectBudget(4 * bound + bound / 2);

    final List<String> ids = sendPlans(5, 200);

    final List<RoutedRequest> admitted = routed.readValuesToList();
    assertThat(admitted).hasSize(4)
        .allSatisfy(r -> assertThat(r.getDecision().getReservedMicros()).isEqualTo(bound))
        .allSatisfy(r -> assertThat(r.getDecision().getReason())
            .contains("reserves").contains("200 output tokens on anthropic/claude-sonnet-4.5").contains(BUDGET));
    final ChatResponse refused = responses.readValue();
    assertThat(refused.getCorrelationId()).isEqualTo(ids.get(4));
    assertThat(refused.getError().getType()).isEqualTo("insufficient_quota");
    assertThat(refused.getError().getHttpStatus()).isEqualTo(429);
    assertThat(refused.getError().getMessage()).contains(BUDGET).contains("has no room");
    assertThat(responses.isEmpty()).isTrue();
  }

  @Test
  void aBudgetWithRoomForOneFrontierRequestAdmitsIt() {
    // $0.02 a day: one frontier request with max_tokens 1,000 (about $0.015 on Claude Sonnet) fits,
    // a second does not.
    rejectBudget(20_000);

    sendPlans(2, 1_000);

    assertThat(routed.readValuesToList()).hasSize(1);
    assertThat(responses.readValue().getError().getType()).isEqualTo("insufficient_quota");
  }

  @Test
  void withoutMaxTokensReservesTheDefaultOutputOnTheChainsDearestModel() {
    rejectBudget(1_000_000);

    final ChatRequest request = plan(null);
    requests.pipeInput(request.getSessionId(), request);

    final long input = new TokenEstimator().inputTokens(request);
    final long expected = CostBound.micros(input, 3_000_000, 1_024, 15_000_000);
    assertThat(routed.readValue().getDecision().getReservedMicros()).isEqualTo(expected);
  }

  @Test
  void usageBookedInTheBudgetStateReplacesTheReservationWithTheRealCost() {
    final long bound = boundOfOne();
    rejectBudget(2 * bound + bound / 2);
    final List<String> ids = sendPlans(3, 200);
    assertThat(routed.readValuesToList()).hasSize(2);
    assertThat(responses.readValuesToList()).hasSize(1);

    // The first request's usage is seen, but the published spend does not include it yet: its
    // reservation still counts, so there is no gap.
    usage.pipeInput(ids.get(0), usage(ids.get(0)));
    sendPlans(1, 200);
    assertThat(routed.isEmpty()).isTrue();
    assertThat(responses.readValue().getError().getType()).isEqualTo("insufficient_quota");

    // Accounting books it (real cost 500) and says so; the bound is released, the cost counted once.
    budgetStates.pipeInput(BUDGET, state(2 * bound + bound / 2, 500, Map.of("0", 0L)));
    sendPlans(1, 200);
    assertThat(routed.readValuesToList()).hasSize(1);
    assertThat(responses.isEmpty()).isTrue();
  }

  @Test
  void aSpendThatDoesNotIncludeTheUsageYetKeepsTheReservation() {
    final long bound = boundOfOne();
    rejectBudget(bound + bound / 2);
    final List<String> ids = sendPlans(1, 200);
    routed.readValuesToList();
    // Its usage sits at offset 1: offset 0 is another request's, the only one booked so far.
    usage.pipeInput("req_other", usage("req_other"));
    usage.pipeInput(ids.get(0), usage(ids.get(0)));
    budgetStates.pipeInput(BUDGET, state(bound + bound / 2, 100, Map.of("0", 0L)));

    sendPlans(1, 200);

    assertThat(routed.isEmpty()).isTrue();
    assertThat(responses.readValue().getError().getType()).isEqualTo("insufficient_quota");
  }

  @Test
  void releasesAReservationWithoutUsageAtItsDeadlinePlusTheGrace() {
    final long bound = boundOfOne();
    rejectBudget(bound + bound / 2);
    final ChatRequest first = plan(200);
    first.setDeadline(NOW.plusSeconds(10));
    requests.pipeInput(first.getSessionId(), first);
    sendPlans(1, 200);
    assertThat(routed.readValuesToList()).hasSize(1);
    assertThat(responses.readValuesToList()).hasSize(1);

    driver.advanceWallClockTime(Duration.ofSeconds(14));
    sendPlans(1, 200);
    assertThat(routed.isEmpty()).isTrue();
    assertThat(responses.readValuesToList()).hasSize(1);

    driver.advanceWallClockTime(Duration.ofSeconds(2)); // past deadline + 5 s grace
    sendPlans(1, 200);
    assertThat(routed.readValuesToList()).hasSize(1);
  }

  @Test
  void aReplayedRequestIsRoutedAgainWithoutASecondReservation() {
    final long bound = boundOfOne();
    rejectBudget(bound + bound / 2);
    final ChatRequest request = plan(200);

    requests.pipeInput(request.getSessionId(), request);
    requests.pipeInput(request.getSessionId(), request);

    assertThat(routed.readValuesToList()).hasSize(2)
        .allSatisfy(r -> assertThat(r.getRequest().getCorrelationId())
            .isEqualTo(request.getCorrelationId()));
    assertThat(responses.isEmpty()).isTrue();
  }

  @Test
  void requestsNoHardBudgetCoversReserveNothing() {
    budgets.pipeInput("bud_alert", budget("bud_alert", null, 1, BudgetAction.ALERT));
    budgets.pipeInput("bud_code", budget("bud_code", "code", 1, BudgetAction.REJECT));

    sendPlans(3, 200);

    assertThat(routed.readValuesToList()).hasSize(3)
        .allSatisfy(r -> assertThat(r.getDecision().getReservedMicros()).isZero());
    assertThat(responses.isEmpty()).isTrue();
  }

  private long boundOfOne() {
    final ChatRequest probe = plan(200);
    final long input = new TokenEstimator().inputTokens(probe);
    sequence--; // the probe is never sent; reuse its number
    return Math.max(CostBound.micros(input, 3_000_000, 200, 15_000_000),
        CostBound.micros(input, 1_250_000, 200, 10_000_000));
  }

  private void rejectBudget(final long limitMicros) {
    budgets.pipeInput(BUDGET, budget(BUDGET, null, limitMicros, BudgetAction.REJECT));
  }

  private static Budget budget(
      final String id, final String mode, final long limitMicros, final BudgetAction action) {
    return Budget.newBuilder().setBudgetId(id).setTenant(TENANT).setMode(mode)
        .setPeriod(BudgetPeriod.DAY).setLimitMicros(limitMicros).setAction(action).build();
  }

  private BudgetState state(final long limit, final long spent, final Map<String, Long> booked) {
    final Budget budget = budget(BUDGET, null, limit, BudgetAction.REJECT);
    return BudgetState.newBuilder().setBudget(budget)
        .setPeriodStart(Instant.parse("2025-06-01T00:00:00Z")).setSpentMicros(spent)
        .setExhausted(false).setUpdatedAt(NOW).setBookedUsageOffsets(booked)
        .build();
  }

  private static UsageEvent usage(final String correlationId) {
    return UsageEvent.newBuilder().setCorrelationId(correlationId).setTenant(TENANT)
        .setMode("plan").setTier("frontier").setModel("openai/gpt-5").setProvider("openai")
        .setUsage(Usage.newBuilder().setInputTokens(10).setOutputTokens(50).build())
        .setOccurredAt(NOW).build();
  }

  private List<String> sendPlans(final int count, final Integer maxTokens) {
    final List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      final ChatRequest request = plan(maxTokens);
      requests.pipeInput(request.getSessionId(), request);
      ids.add(request.getCorrelationId());
    }
    return ids;
  }

  /** A frontier/plan request: chain anthropic/claude-sonnet-4.5 > openai/gpt-5. */
  private ChatRequest plan(final Integer maxTokens) {
    sequence++;
    return ChatRequest.newBuilder()
        .setCorrelationId("req_" + sequence)
        .setSessionId("sess_" + sequence)
        .setTenant(TENANT)
        .setTier("frontier")
        .setMode("plan")
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT)
                .setText("Plan the billing refactor").build())).build()))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).build())
        .setReceivedAt(NOW)
        .build();
  }

  private <V> TestInputTopic<String, V> input(
      final String topic, final Serde<V> values) {
    return driver.createInputTopic(topic,
        new StringSerializer(), values.serializer());
  }
}
