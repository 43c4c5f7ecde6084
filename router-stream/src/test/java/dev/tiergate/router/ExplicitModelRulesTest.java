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
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explicit {@code provider/model} requests through the real topology: the key's tiers and model
 * allow-list decide, the tier reported is the one the model serves, a missing catalogue entry is
 * refused, a DOWNGRADE budget replaces the model, and session state belongs to a tenant.
 */
class ExplicitModelRulesTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final List<String> SMALL_AND_FREE = List.of("small", "free");

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, ChatRequest> requests;
  private TestInputTopic<String, Route> routes;
  private TestInputTopic<String, BudgetState> budgetStates;
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
    driver = new TopologyTestDriver(RouterTopology.build(SERDES, config), config.streamsProperties(), NOW);
    requests = driver.createInputTopic(Topics.REQUESTS.name(),
        Topics.REQUESTS.keySerde().serializer(), Topics.REQUESTS.valueSerde(SERDES).serializer());
    routes = driver.createInputTopic(Topics.ROUTES.name(),
        Topics.ROUTES.keySerde().serializer(), Topics.ROUTES.valueSerde(SERDES).serializer());
    budgetStates = driver.createInputTopic(Topics.BUDGET_STATE.name(),
        Topics.BUDGET_STATE.keySerde().serializer(),
        Topics.BUDGET_STATE.valueSerde(SERDES).serializer());
    routed = driver.createOutputTopic(Topics.ROUTED.name(),
        Topics.ROUTED.keySerde().deserializer(), Topics.ROUTED.valueSerde(SERDES).deserializer());
    responses = driver.createOutputTopic(Topics.RESPONSES.name(),
        Topics.RESPONSES.keySerde().deserializer(),
        Topics.RESPONSES.valueSerde(SERDES).deserializer());
    final TestInputTopic<String, ModelSpec> models = driver.createInputTopic(Topics.MODELS.name(),
        Topics.MODELS.keySerde().serializer(), Topics.MODELS.valueSerde(SERDES).serializer());
    List.of(
            model("p/big", "big", 10_000_000),
            model("p/mid", "big", 3_000_000),
            model("q/small", "small", 100_000),
            model("q/other", "other", 200_000),
            model("p/unlisted", "big", 1_000_000),
            model("local/free", "llama", 0))
        .forEach(model -> models.pipeInput(model.getId(), model));
    Map.of(
            "frontier/*", List.of("p/big", "p/mid"),
            "frontier/code", List.of("p/mid", "p/big"),
            "balanced/*", List.of("p/mid", "q/small"),
            "small/*", List.of("q/small", "p/mid"),
            "small/code", List.of("q/small", "q/other"),
            "free/*", List.of("local/free", "q/small"))
        .forEach((key, chain) -> routes.pipeInput(key, rule(key, chain)));
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void smallTierKeyCannotNameAFrontierModel() {
    final ChatResponse reply = refused(request("acme", "s1", "small", SMALL_AND_FREE, "p/big"));

    assertThat(reply.getError().getType()).isEqualTo("model_not_allowed");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(403);
    assertThat(reply.getError().getMessage())
        .contains("'p/big'").contains("(free, small)").contains("allow-list");
  }

  @Test
  void explicitModelReportsTheStrongestAllowedTierWhoseChainHoldsIt() {
    final RoutingDecision small = route(request("acme", "s1", "small", SMALL_AND_FREE, "p/mid"));
    final RoutingDecision everyTier = route(request("acme", "s2", "small", List.of(), "p/mid"));
    final RoutingDecision free = route(request("acme", "s3", "small", SMALL_AND_FREE, "q/small"));

    assertThat(small.getTier()).isEqualTo("small");
    assertThat(small.getModelChain()).containsExactly("p/mid");
    assertThat(small.getRuleKey()).isEqualTo("explicit");
    assertThat(everyTier.getTier()).isEqualTo("frontier");
    assertThat(free.getTier()).isEqualTo("small");
  }

  @Test
  void allowListedModelIsServedAsTheTierItServes() {
    final ChatRequest frontierModel = withAllowList(
        request("acme", "s1", "small", SMALL_AND_FREE, "p/big"), "p/big");
    final ChatRequest inNoChain = withAllowList(
        request("acme", "s2", "small", SMALL_AND_FREE, "p/unlisted"), "p/unlisted");

    final RoutingDecision big = route(frontierModel);
    final RoutingDecision unlisted = route(inNoChain);

    assertThat(big.getModelChain()).containsExactly("p/big");
    assertThat(big.getTier()).isEqualTo("frontier");
    assertThat(big.getReason()).contains("on the key's model allow-list");
    assertThat(unlisted.getModelChain()).containsExactly("p/unlisted");
    assertThat(unlisted.getTier()).isEqualTo("small");
  }

  @Test
  void modelInNoChainIsRefusedEvenForAKeyWithEveryTier() {
    final ChatResponse reply = refused(request("acme", "s1", "frontier", List.of(), "p/unlisted"));

    assertThat(reply.getError().getType()).isEqualTo("model_not_allowed");
  }

  @Test
  void routeChangesApplyToTheNextExplicitRequest() {
    refused(request("acme", "s1", "small", SMALL_AND_FREE, "p/big"));

    routes.pipeInput("small/code", rule("small/code", List.of("q/small", "p/big")));
    final RoutingDecision nowAllowed =
        route(request("acme", "s1", "small", SMALL_AND_FREE, "p/big"));
    routes.pipeInput("small/code", (Route) null);
    final ChatResponse refusedAgain = refused(request("acme", "s1", "small", SMALL_AND_FREE, "p/big"));
    routes.pipeInput("frontier/review", Route.newBuilder(rule("frontier/review", List.of("q/other")))
        .setTier("small").build());
    final RoutingDecision byTierField =
        route(request("acme", "s2", "small", List.of("small"), "q/other"));

    assertThat(nowAllowed.getTier()).isEqualTo("small");
    assertThat(refusedAgain.getError().getType()).isEqualTo("model_not_allowed");
    assertThat(byTierField.getTier()).isEqualTo("small");
  }

  @Test
  void modelMissingFromTheCatalogueIsRefusedWith404() {
    routes.pipeInput("small/*", rule("small/*", List.of("q/small", "p/gone")));

    final ChatResponse reply = refused(request("acme", "s1", "small", SMALL_AND_FREE, "p/gone"));

    assertThat(reply.getError().getType()).isEqualTo("model_not_found");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(404);
  }

  @Test
  void exhaustedDowngradeBudgetReplacesAnExplicitModelWithTheLowerTiersChain() {
    budgetStates.pipeInput("bud_acme", exhaustedDowngrade("acme"));

    final RoutingDecision frontier = route(request("acme", "s1", "frontier", List.of(), "p/big"));
    final RoutingDecision small =
        route(request("acme", "s2", "small", SMALL_AND_FREE, "q/small"));

    assertThat(frontier.getTier()).isEqualTo("balanced");
    assertThat(frontier.getRuleKey()).isEqualTo("balanced/*");
    assertThat(frontier.getModelChain()).containsExactly("p/mid", "q/small");
    assertThat(frontier.getReason()).startsWith("budget bud_acme exhausted")
        .contains("explicit model p/big (tier frontier) replaced by tier balanced's chain");
    assertThat(small.getModelChain()).containsExactly("q/small");
    assertThat(small.getReason()).contains("tier small has no lower tier");
  }

  @Test
  void tenantCannotMoveAnotherTenantsSession() {
    route(request("acme", "shared", "frontier", List.of(), "p/mid"));

    final RoutingDecision intruder =
        route(request("evil", "shared", "small", List.of(), "q/other"));
    final RoutingDecision owner = route(request("acme", "shared", "frontier", null, null));

    assertThat(intruder.getFamilySwitch()).isFalse();
    assertThat(owner.getModelChain()).containsExactly("p/mid", "p/big");
    assertThat(owner.getFamilySwitch()).isFalse();
    assertThat(owner.getReason()).contains("sticky: session stays on p/mid");
  }

  // --- fixture ---

  private RoutingDecision route(final ChatRequest request) {
    requests.pipeInput(request.getSessionId(), request);
    assertThat(responses.isEmpty()).as("no error reply").isTrue();
    return routed.readValue().getDecision();
  }

  private ChatResponse refused(final ChatRequest request) {
    requests.pipeInput(request.getSessionId(), request);
    assertThat(routed.isEmpty()).as("nothing routed").isTrue();
    return responses.readValue();
  }

  private static ModelSpec model(final String id, final String family, final long price) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(id.substring(id.indexOf('/') + 1)).setFamily(family)
        .setInputMicrosPerMillion(price).setOutputMicrosPerMillion(price * 3)
        .setContextWindow(100_000).setCapabilities(List.of("tools"))
        .build();
  }

  private static Route rule(final String key, final List<String> chain) {
    final String[] parts = key.split("/");
    return Route.newBuilder().setTier(parts[0]).setMode(parts[1]).setModels(chain)
        .setParams(Map.of()).build();
  }

  private static BudgetState exhaustedDowngrade(final String tenant) {
    final Budget budget = Budget.newBuilder()
        .setBudgetId("bud_" + tenant).setTenant(tenant).setPeriod(BudgetPeriod.MONTH)
        .setLimitMicros(10_000_000L).setAction(BudgetAction.DOWNGRADE).build();
    return BudgetState.newBuilder()
        .setBudget(budget)
        .setPeriodStart(Instant.parse("2026-03-01T00:00:00Z"))
        .setSpentMicros(12_000_000L)
        .setExhausted(true)
        .setUpdatedAt(NOW)
        .build();
  }

  private static ChatRequest withAllowList(final ChatRequest request, final String... models) {
    return ChatRequest.newBuilder(request).setAllowedModels(List.of(models)).build();
  }

  private ChatRequest request(final String tenant, final String session, final String tier,
      final List<String> allowedTiers, final String model) {
    sequence++;
    return ChatRequest.newBuilder()
        .setCorrelationId("req_" + sequence)
        .setSessionId(session)
        .setTenant(tenant)
        .setTier(tier)
        .setRequestedModel(model)
        .setAllowedTiers(allowedTiers == null ? List.of() : allowedTiers)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText("fix the parser").build()))
            .build()))
        .setReceivedAt(NOW)
        .build();
  }
}
