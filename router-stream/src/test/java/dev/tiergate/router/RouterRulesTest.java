package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.router.predict.BlendedPredictor;
import dev.tiergate.router.predict.DifficultyPredictor;
import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.router.predict.RidgeRegression;
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
import dev.tiergate.schemas.ToolDefinition;
import dev.tiergate.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing rules beyond the table lookup, through the real topology: capability skips,
 * stickiness and its switch factor, family switches, budgets before the call, and the predictor,
 * against a small catalogue whose prices make every comparison obvious.
 */
class RouterRulesTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private RouterMetrics metrics;
  private TestInputTopic<String, ChatRequest> requests;
  private TestInputTopic<String, BudgetState> budgetStates;
  private TestOutputTopic<String, RoutedRequest> routed;
  private TestOutputTopic<String, ChatResponse> responses;
  private int sequence;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void skipsModelWhoseContextWindowIsBelowEstimatedTokens() {
    start(null);
    final ChatRequest longRequest = request("s1", "small", "code", text(3_000));

    final RoutingDecision decision = route(longRequest);

    assertThat(decision.getModelChain()).containsExactly("p/mid");
    assertThat(decision.getReason())
        .startsWith("small/code matched; skipped q/small: context window 1000 < ")
        .contains("estimated tokens");
    assertThat(route(request("s2", "small", "code", text(20))).getModelChain())
        .containsExactly("q/small", "p/mid");
  }

  @Test
  void skipsModelWithoutToolsOrImagesWhenTheRequestNeedsThem() {
    start(null);
    final ChatRequest withTools = ChatRequest.newBuilder(request("s1", "free", "code", text(5)))
        .setTools(List.of(ToolDefinition.newBuilder().setName("read_file").build()))
        .build();
    final ChatRequest withImage = ChatRequest.newBuilder(request("s2", "small", "code", text(5)))
        .setMessages(List.of(message(ContentPart.newBuilder()
            .setType(PartType.IMAGE).setImageUrl("data:image/png;base64,AAAA").build())))
        .build();

    final RoutingDecision tools = route(withTools);
    final RoutingDecision images = route(withImage);

    assertThat(tools.getModelChain()).containsExactly("q/small");
    assertThat(tools.getReason()).contains("skipped local/free: no tools support");
    assertThat(images.getModelChain()).containsExactly("p/mid");
    assertThat(images.getReason()).contains("skipped q/small: no images support");
  }

  @Test
  void requestNoModelCanServeGetsAnExplainedErrorReply() {
    start(null);
    final ChatRequest huge = ChatRequest.newBuilder(request("s1", "free", null, text(3_000)))
        .setTools(List.of(ToolDefinition.newBuilder().setName("grep").build()))
        .build();

    requests.pipeInput(huge.getSessionId(), huge);

    assertThat(routed.isEmpty()).isTrue();
    final ChatResponse reply = responses.readValue();
    assertThat(reply.getError().getType()).isEqualTo("unroutable");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(422);
    assertThat(reply.getError().getMessage())
        .contains("skipped local/free: no tools support")
        .contains("skipped q/small: context window 1000");
  }

  @Test
  void sessionStaysOnItsModelUnlessTheNewChoiceIsCheaperByTheSwitchFactor() {
    start(null);
    assertThat(route(request("s1", "frontier", "plan", text(5))).getModelChain())
        .first().isEqualTo("p/big");

    // p/midish is 40/24 = 1.67x cheaper than p/big: below the factor 2, so the session stays.
    final RoutingDecision stay = route(request("s1", "balanced", null, text(5)));
    // p/mid is 40/12 = 3.3x cheaper: worth losing the prompt cache.
    final RoutingDecision leave = route(request("s1", "frontier", "code", text(5)));
    // Another session with no history takes the rule's first choice.
    final RoutingDecision fresh = route(request("s2", "balanced", null, text(5)));

    assertThat(stay.getModelChain()).containsExactly("p/big", "p/midish");
    assertThat(stay.getReason()).contains("sticky: session stays on p/big");
    assertThat(leave.getModelChain()).containsExactly("p/mid", "p/big");
    assertThat(leave.getReason()).contains("session switched from p/big");
    assertThat(leave.getFamilySwitch()).isFalse();
    assertThat(fresh.getModelChain()).containsExactly("p/midish", "p/big");
    final KeyValueStore<String, SessionRoute> sessions =
        driver.getKeyValueStore(RouterTopology.SESSIONS_STORE);
    assertThat(sessions.get(ResolveRouteProcessor.sessionKey("acme", "s1")).lastModel())
        .isEqualTo("p/mid");
    assertThat(sessions.get(ResolveRouteProcessor.sessionKey("acme", "s2")).lastModel())
        .isEqualTo("p/midish");
  }

  @Test
  void repeatedRequestOnAStickySessionWritesNoNewSessionEntry() {
    start(null);
    final TestOutputTopic<String, SessionRoute> changelog = sessionsChangelog();
    route(request("s1", "frontier", "plan", text(5)));
    assertThat(changelog.readValuesToList()).extracting(SessionRoute::lastModel)
        .containsExactly("p/big");

    driver.advanceWallClockTime(Duration.ofMinutes(5));
    route(request("s1", "frontier", "plan", text(5)));
    route(request("s1", "frontier", "plan", text(5)));
    assertThat(changelog.isEmpty()).as("same model, same family, fresh entry").isTrue();

    // p/mid is 3.3x cheaper than p/big: the session moves, and the move is written.
    route(request("s1", "frontier", "code", text(5)));
    assertThat(changelog.readValuesToList()).extracting(SessionRoute::lastModel)
        .containsExactly("p/mid");
  }

  @Test
  void stickySessionEntryIsRefreshedOnceAgedAndStillExpiresWhenIdle() {
    final Duration idle = Duration.ofHours(10);
    start(null, RouterConfig.Policy.defaults().withBudgetRefresh(Duration.ZERO)
        .withSessionIdle(idle));
    final TestOutputTopic<String, SessionRoute> changelog = sessionsChangelog();
    final KeyValueStore<String, SessionRoute> sessions =
        driver.getKeyValueStore(RouterTopology.SESSIONS_STORE);
    final String key = ResolveRouteProcessor.sessionKey("acme", "s1");
    route(request("s1", "frontier", "plan", text(5)));
    changelog.readValuesToList();

    // Under a tenth of the idle time later: not written; at a tenth: written again.
    driver.advanceWallClockTime(Duration.ofMinutes(59));
    route(request("s1", "frontier", "plan", text(5)));
    assertThat(changelog.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMinutes(1));
    route(request("s1", "frontier", "plan", text(5)));
    assertThat(changelog.readValuesToList()).extracting(SessionRoute::lastRoutedAt)
        .containsExactly(NOW.plus(Duration.ofHours(1)));

    // The last request, 59 minutes later, left the stored time behind it: idle for 10 hours after
    // that request the session is still kept; a refresh interval later it is forgotten.
    driver.advanceWallClockTime(Duration.ofMinutes(59));
    route(request("s1", "frontier", "plan", text(5)));
    driver.advanceWallClockTime(idle);
    assertThat(sessions.get(key)).isNotNull();
    driver.advanceWallClockTime(Duration.ofHours(1));
    assertThat(sessions.get(key)).isNull();
  }

  @Test
  void higherSwitchFactorKeepsTheSessionOnItsModel() {
    start(null, RouterConfig.Policy.defaults().withSwitchFactor(4.0).withBudgetRefresh(Duration.ZERO));
    route(request("s1", "frontier", "plan", text(5)));

    final RoutingDecision decision = route(request("s1", "frontier", "code", text(5)));

    assertThat(decision.getModelChain()).containsExactly("p/big", "p/mid");
    assertThat(decision.getReason()).contains("not 4.0x cheaper");
  }

  @Test
  void flagsFamilySwitchOnlyWhenTheFamilyChanges() {
    start(null);
    route(request("s1", "frontier", "plan", text(5)));

    final RoutingDecision toLlama = route(request("s1", "free", "code", text(5)));
    final RoutingDecision again = route(request("s1", "free", "code", text(5)));
    final RoutingDecision noHistory = route(request("s2", "free", "code", text(5)));

    assertThat(toLlama.getModelChain()).first().isEqualTo("local/free");
    assertThat(toLlama.getFamilySwitch()).isTrue();
    assertThat(toLlama.getReason())
        .contains("model family changed from big to llama; earlier reasoning blocks are dropped");
    assertThat(again.getFamilySwitch()).isFalse();
    assertThat(noHistory.getFamilySwitch()).isFalse();
  }

  @Test
  void exhaustedDowngradeBudgetLowersTheTierOneStep() {
    start(null);
    budgetStates.pipeInput("bud_acme", budget("bud_acme", "acme", null, BudgetAction.DOWNGRADE, true));
    budgetStates.pipeInput("bud_other", budget("bud_other", "other", null, BudgetAction.REJECT, true));

    final RoutingDecision decision = route(request("s1", "frontier", "plan", text(5)));

    assertThat(decision.getTier()).isEqualTo("balanced");
    assertThat(decision.getRuleKey()).isEqualTo("balanced/*");
    assertThat(decision.getReason())
        .startsWith("budget bud_acme exhausted (spent 12.000000 of 10.000000 USD this month): "
            + "tier frontier -> balanced; ");
  }

  @Test
  void exhaustedRejectBudgetRefusesWithInsufficientQuota() {
    start(null);
    budgetStates.pipeInput("bud_plan", budget("bud_plan", "acme", "plan", BudgetAction.REJECT, true));

    final ChatRequest plan = request("s1", "frontier", "plan", text(5));
    requests.pipeInput(plan.getSessionId(), plan);
    final ChatResponse reply = responses.readValue();
    final RoutingDecision code = route(request("s1", "frontier", "code", text(5)));

    assertThat(reply.getCorrelationId()).isEqualTo(plan.getCorrelationId());
    assertThat(reply.getError().getType()).isEqualTo("insufficient_quota");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(429);
    assertThat(reply.getError().getMessage())
        .startsWith("You exceeded your current quota: budget bud_plan of tenant acme mode plan");
    assertThat(code.getRuleKey()).isEqualTo("frontier/code");
    assertThat(metrics.errors("insufficient_quota")).isEqualTo(1.0);
  }

  @Test
  void budgetThatIsNotExhaustedOrWhosePeriodEndedChangesNothing() {
    start(null);
    budgetStates.pipeInput("bud_ok", budget("bud_ok", "acme", null, BudgetAction.REJECT, false));
    final BudgetState stale = BudgetState.newBuilder(
            budget("bud_old", "acme", null, BudgetAction.REJECT, true))
        .setPeriodStart(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
    budgetStates.pipeInput("bud_old", stale);

    assertThat(route(request("s1", "frontier", "plan", text(5))).getRuleKey())
        .isEqualTo("frontier/plan");
  }

  @Test
  void predictorChoosesTheTierOnlyWhenNoModeIsGiven() {
    start(constantPredictor(0.9));

    final RoutingDecision noMode = route(request("s1", "frontier", null, text(5)));
    final RoutingDecision withMode = route(request("s2", "frontier", "code", text(5)));

    assertThat(noMode.getPredicted()).isTrue();
    assertThat(noMode.getTier()).isEqualTo("frontier");
    assertThat(noMode.getRuleKey()).isEqualTo("frontier/*");
    assertThat(noMode.getReason()).startsWith("no mode; predictor score 0.900 -> frontier; ");
    assertThat(withMode.getPredicted()).isFalse();
    assertThat(withMode.getRuleKey()).isEqualTo("frontier/code");
    assertThat(metrics.decisions("frontier", "predicted")).isEqualTo(1.0);
    assertThat(metrics.decisions("frontier", "mode")).isEqualTo(1.0);
  }

  @Test
  void predictedTierNeverExceedsTheCallersTier() {
    start(constantPredictor(0.9));

    final RoutingDecision decision = route(request("s1", "balanced", null, text(5)));

    assertThat(decision.getTier()).isEqualTo("balanced");
    assertThat(decision.getReason()).contains("capped at the caller's tier balanced");
  }

  @Test
  void easyRequestWithoutModeIsPredictedToTheSmallTier() {
    start(constantPredictor(0.1));

    final RoutingDecision decision = route(request("s1", "frontier", null, text(5)));

    assertThat(decision.getPredicted()).isTrue();
    assertThat(decision.getTier()).isEqualTo("small");
    assertThat(decision.getRuleKey()).isEqualTo("small/*");
  }

  @Test
  void theKeysStrongShareKeepsAHardRequestOffTheFrontierTier() {
    start(calibratedPredictor(0.9));

    final RoutingDecision open = route(request("s1", "frontier", null, text(5)));
    final RoutingDecision thrifty = route(withStrongShare(request("s2", "frontier", null, text(5)), 0.0));

    assertThat(open.getTier()).isEqualTo("frontier");
    assertThat(thrifty.getTier()).isEqualTo("balanced");
    assertThat(thrifty.getReason()).contains("key's strong share 0.00");
  }

  @Test
  void anAgentsTitleCallGoesToTheSmallTierWithTheInferredMode() {
    start(constantPredictor(0.9));

    final RoutingDecision decision = route(ChatRequest.newBuilder(request("s1", "frontier", "code",
            "Give the conversation a title."))
        .setMessages(List.of(
            Message.newBuilder().setRole("system").setParts(List.of(ContentPart.newBuilder()
                .setType(PartType.TEXT).setText("You are a title generator for chat threads.")
                .build())).build(),
            message(ContentPart.newBuilder().setType(PartType.TEXT)
                .setText("how do I rotate the signing keys?").build())))
        .build());

    assertThat(decision.getTier()).isEqualTo("small");
    assertThat(decision.getMode()).isEqualTo("title");
    assertThat(decision.getPredicted()).isTrue();
    assertThat(decision.getReason()).contains("mode code; looks like an agent's title call");
    assertThat(metrics.decisions("small", "inferred")).isEqualTo(1.0);
  }

  @Test
  void aRealCodingRequestKeepsItsModeAndTier() {
    start(constantPredictor(0.9));

    final RoutingDecision decision = route(ChatRequest.newBuilder(request("s1", "frontier", "code",
            "Write a commit message helper and a title bar component for the settings page."))
        .setTools(List.of(ToolDefinition.newBuilder().setName("write_file").build()))
        .build());

    assertThat(decision.getTier()).isEqualTo("frontier");
    assertThat(decision.getMode()).isEqualTo("code");
    assertThat(decision.getRuleKey()).isEqualTo("frontier/code");
    assertThat(decision.getPredicted()).isFalse();
  }

  /** A calibrated predictor that puts every prompt at the given percentile. */
  private static DifficultyScorer calibratedPredictor(final double percentile) {
    final BlendedPredictor.Weights weights = new BlendedPredictor.Weights(
        constantPredictor(0.5), new RidgeRegression(new float[1], 0), 0, 1, 0, 1,
        new double[] {-percentile / (1 - percentile), 1}, 0.3, 0.4);
    return new BlendedPredictor(weights, text -> new float[1]);
  }

  private static ChatRequest withStrongShare(final ChatRequest request, final double share) {
    return ChatRequest.newBuilder(request).setStrongShare(share).build();
  }

  // --- fixture ---

  private void start(final DifficultyScorer predictor) {
    start(predictor, RouterConfig.Policy.defaults().withBudgetRefresh(Duration.ZERO));
  }

  private void start(final DifficultyScorer predictor, final RouterConfig.Policy policy) {
    final RouterConfig config =
        RouterConfig.defaults(KafkaSettings.of("localhost:9092", "http://localhost:8081"))
            .withStateDir(stateDir)
            .withPolicy(policy.withPredict(predictor != null));
    metrics = RouterMetrics.inMemory();
    driver = new TopologyTestDriver(
        RouterTopology.build(SERDES, config, metrics, predictor), config.streamsProperties(), NOW);
    requests = driver.createInputTopic(Topics.REQUESTS.name(),
        Topics.REQUESTS.keySerde().serializer(), Topics.REQUESTS.valueSerde(SERDES).serializer());
    budgetStates = driver.createInputTopic(Topics.BUDGET_STATE.name(),
        Topics.BUDGET_STATE.keySerde().serializer(),
        Topics.BUDGET_STATE.valueSerde(SERDES).serializer());
    routed = driver.createOutputTopic(Topics.ROUTED.name(),
        Topics.ROUTED.keySerde().deserializer(), Topics.ROUTED.valueSerde(SERDES).deserializer());
    responses = driver.createOutputTopic(Topics.RESPONSES.name(),
        Topics.RESPONSES.keySerde().deserializer(),
        Topics.RESPONSES.valueSerde(SERDES).deserializer());
    seedCatalogueAndRules();
  }

  private void seedCatalogueAndRules() {
    final TestInputTopic<String, ModelSpec> models = driver.createInputTopic(Topics.MODELS.name(),
        Topics.MODELS.keySerde().serializer(), Topics.MODELS.valueSerde(SERDES).serializer());
    final TestInputTopic<String, Route> routes = driver.createInputTopic(Topics.ROUTES.name(),
        Topics.ROUTES.keySerde().serializer(), Topics.ROUTES.valueSerde(SERDES).serializer());
    List.of(
            model("p/big", "big", 10_000_000, 30_000_000, 200_000, "tools", "images"),
            model("p/midish", "big", 6_000_000, 18_000_000, 200_000, "tools", "images"),
            model("p/mid", "big", 3_000_000, 9_000_000, 200_000, "tools", "images"),
            model("q/small", "small", 100_000, 400_000, 1_000, "tools"),
            model("local/free", "llama", 0, 0, 100_000))
        .forEach(model -> models.pipeInput(model.getId(), model));
    Map.of(
            "frontier/*", List.of("p/big"),
            "frontier/plan", List.of("p/big", "p/mid"),
            "frontier/code", List.of("p/mid", "p/big"),
            "balanced/*", List.of("p/midish", "p/big"),
            "small/*", List.of("q/small", "p/mid"),
            "small/code", List.of("q/small", "p/mid"),
            "free/*", List.of("local/free", "q/small"))
        .forEach((key, chain) -> routes.pipeInput(key, rule(key, chain)));
  }

  /** The session store's changelog: one record for every write to the store. */
  private TestOutputTopic<String, SessionRoute> sessionsChangelog() {
    return driver.createOutputTopic(
        RouterConfig.DEFAULT_APP_ID + "-" + RouterTopology.SESSIONS_STORE + "-changelog",
        Serdes.String().deserializer(), SessionRoute.serde().deserializer());
  }

  private RoutingDecision route(final ChatRequest request) {
    requests.pipeInput(request.getSessionId(), request);
    assertThat(responses.isEmpty()).as("no error reply").isTrue();
    return routed.readValue().getDecision();
  }

  /** A predictor whose score is the same for every prompt; thresholds 0.8 and 0.5. */
  private static DifficultyPredictor constantPredictor(final double score) {
    final float bias = (float) Math.log(score / (1 - score));
    return new DifficultyPredictor(4, new float[16], bias, 0.8, 0.5);
  }

  private static ModelSpec model(final String id, final String family, final long in,
      final long out, final int window, final String... capabilities) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(id.substring(id.indexOf('/') + 1)).setFamily(family)
        .setInputMicrosPerMillion(in).setOutputMicrosPerMillion(out)
        .setContextWindow(window).setCapabilities(List.of(capabilities))
        .build();
  }

  private static Route rule(final String key, final List<String> chain) {
    final String[] parts = key.split("/");
    return Route.newBuilder().setTier(parts[0]).setMode(parts[1]).setModels(chain)
        .setParams(Map.of()).build();
  }

  private static BudgetState budget(final String id, final String tenant, final String mode,
      final BudgetAction action, final boolean exhausted) {
    final Budget budget = Budget.newBuilder()
        .setBudgetId(id).setTenant(tenant).setMode(mode).setPeriod(BudgetPeriod.MONTH)
        .setLimitMicros(10_000_000L).setAction(action).build();
    return BudgetState.newBuilder()
        .setBudget(budget)
        .setPeriodStart(Instant.parse("2026-03-01T00:00:00Z"))
        .setSpentMicros(exhausted ? 12_000_000L : 1_000_000L)
        .setExhausted(exhausted)
        .setUpdatedAt(NOW)
        .build();
  }

  private ChatRequest request(
      final String session, final String tier, final String mode, final String text) {
    sequence++;
    return ChatRequest.newBuilder()
        .setCorrelationId("req_" + sequence)
        .setSessionId(session)
        .setTenant("acme")
        .setTier(tier)
        .setMode(mode)
        .setMessages(List.of(message(
            ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build())))
        .setReceivedAt(NOW)
        .build();
  }

  private static Message message(final ContentPart part) {
    return Message.newBuilder().setRole("user").setParts(List.of(part)).build();
  }

  /** Roughly {@code words} tokens of English. */
  private static String text(final int words) {
    return "refactor the parser module ".repeat(words / 4 + 1);
  }
}
