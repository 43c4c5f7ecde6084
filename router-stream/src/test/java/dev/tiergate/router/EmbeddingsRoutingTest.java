package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutingDecision;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Embeddings requests go to embeddings models only, by the {@code tier/embeddings} rules, and chat
 * requests never reach an embeddings model, whatever the table or the caller says.
 */
class EmbeddingsRoutingTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final String EMBED_SMALL = "openai/text-embedding-3-small";
  private static final String EMBED_GEMINI = "google/gemini-embedding-001";
  private static final String CHAT = "openai/gpt-5-mini";

  private final RouteResolver resolver = new RouteResolver("balanced");
  private final Map<String, ModelSpec> models = Map.of(
      EMBED_SMALL, model(EMBED_SMALL, "embeddings"),
      EMBED_GEMINI, model(EMBED_GEMINI, "embeddings"),
      CHAT, model(CHAT, "tools"));
  private final Map<String, Route> routes = new LinkedHashMap<>(Map.of(
      "balanced/*", rule("balanced/*", CHAT),
      "balanced/embeddings", rule("balanced/embeddings", EMBED_SMALL, EMBED_GEMINI),
      "frontier/*", rule("frontier/*", CHAT)));

  @Test
  void routesEmbeddingsByTheTiersEmbeddingsRuleWhateverModeTheCallerNamed() {
    final RoutingDecision decision = routed(embeddings("auto/balanced", "plan"));

    assertThat(decision.getRuleKey()).isEqualTo("balanced/embeddings");
    assertThat(decision.getMode()).isEqualTo("embeddings");
    assertThat(decision.getModelChain()).containsExactly(EMBED_SMALL, EMBED_GEMINI);
    assertThat(decision.getPredicted()).isFalse();
  }

  @Test
  void aTierWithoutAnEmbeddingsRuleFallsBackToTheDefaultTiersNeverToItsChatDefault() {
    final RoutingDecision decision = routed(embeddings("auto/frontier", null));

    assertThat(decision.getRuleKey()).isEqualTo("balanced/embeddings");
    assertThat(decision.getModelChain()).doesNotContain(CHAT);
  }

  @Test
  void noEmbeddingsRuleAnywhereIsUnroutableNotAChatModel() {
    routes.remove("balanced/embeddings");

    final ErrorInfo error = refused(embeddings("auto/balanced", null));

    assertThat(error.getHttpStatus()).isEqualTo(422);
    assertThat(error.getMessage()).contains("balanced/embeddings");
  }

  @Test
  void skipsChatModelsAnEmbeddingsRuleNamesByMistake() {
    routes.put("balanced/embeddings", rule("balanced/embeddings", CHAT, EMBED_GEMINI));

    final RoutingDecision decision = routed(embeddings("auto/balanced", null));

    assertThat(decision.getModelChain()).containsExactly(EMBED_GEMINI);
    assertThat(decision.getReason()).contains("skipped " + CHAT + ": not an embeddings model");
  }

  @Test
  void chatNeverReachesAnEmbeddingsModelEvenWithTheEmbeddingsMode() {
    routes.put("balanced/*", rule("balanced/*", EMBED_SMALL, CHAT));

    final RoutingDecision decision = routed(chat("auto/balanced", null));

    assertThat(decision.getModelChain()).containsExactly(CHAT);
    final ErrorInfo error = refused(chat("auto/balanced", "embeddings"));
    assertThat(error.getMessage()).contains("an embeddings model serves only POST /v1/embeddings");
  }

  @Test
  void refusesAnExplicitChatModelForEmbeddingsWith400() {
    final ErrorInfo error = refused(embeddings(CHAT, null));

    assertThat(error.getHttpStatus()).isEqualTo(400);
    assertThat(error.getType()).isEqualTo("model_not_supported");
    assertThat(error.getMessage()).contains(CHAT).contains("not an embeddings model");
  }

  @Test
  void refusesAnExplicitEmbeddingsModelForChatWith400() {
    final ErrorInfo error = refused(chat(EMBED_SMALL, null));

    assertThat(error.getHttpStatus()).isEqualTo(400);
    assertThat(error.getType()).isEqualTo("model_not_supported");
  }

  @Test
  void servesAnExplicitEmbeddingsModelOfAnAllowedTier() {
    final RoutingDecision decision = routed(embeddings(EMBED_GEMINI, null));

    assertThat(decision.getRuleKey()).isEqualTo("explicit");
    assertThat(decision.getModelChain()).containsExactly(EMBED_GEMINI);
  }

  @Test
  void theDefaultTableHasEmbeddingsRulesForEveryTierNamingOnlyEmbeddingsModels() {
    final DefaultRoutingTable table = DefaultRoutingTable.load();

    for (final String tier : List.of("frontier", "balanced", "small", "free")) {
      final Route rule = table.routes().get(tier + "/embeddings");
      assertThat(rule).as(tier).isNotNull();
      rule.getModels().forEach(id ->
          assertThat(table.models().get(id).getCapabilities()).as(id).contains("embeddings"));
    }
    assertThat(table.models().get(EMBED_SMALL).getInputMicrosPerMillion()).isEqualTo(20_000);
  }

  @Test
  void aTableWhoseEmbeddingsRuleNamesAChatModelFailsToLoad() {
    final String routesYaml = """
        tiers:
          balanced:
            default: {models: [openai/gpt-5-mini]}
        embeddings:
          balanced: {models: [openai/gpt-5-mini]}
        """;
    final String modelsYaml = """
        models:
          - {id: openai/gpt-5-mini, provider: openai, upstreamModel: gpt-5-mini, family: gpt-5,
             inputMicrosPerMillion: 1, outputMicrosPerMillion: 1, contextWindow: 1000}
        """;

    assertThatThrownBy(() -> DefaultRoutingTable.read(stream(routesYaml), stream(modelsYaml)))
        .hasMessageContaining("rule balanced/embeddings names openai/gpt-5-mini, which is not an embeddings model");
  }

  private RoutingDecision routed(final ChatRequest request) {
    final RoutingOutcome outcome =
        resolver.decide(request, RoutingTables.of(routes, models, Map.of()), null, NOW).outcome();
    assertThat(outcome).isInstanceOf(Routed.class);
    return ((Routed) outcome).routed().getDecision();
  }

  private ErrorInfo refused(final ChatRequest request) {
    final RoutingOutcome outcome =
        resolver.decide(request, RoutingTables.of(routes, models, Map.of()), null, NOW).outcome();
    assertThat(outcome).isInstanceOf(Unroutable.class);
    return ((Unroutable) outcome).response().getError();
  }

  private static ChatRequest embeddings(final String model, final String mode) {
    return ChatRequest.newBuilder(chat(model, mode)).setApiKind(ApiKind.EMBEDDINGS).build();
  }

  private static ChatRequest chat(final String model, final String mode) {
    final ContentPart text = ContentPart.newBuilder().setType(PartType.TEXT).setText("hello").build();
    return ChatRequest.newBuilder()
        .setCorrelationId("req_1")
        .setSessionId("sess_1")
        .setTenant("acme")
        .setMode(mode)
        .setApiKind(ApiKind.OPENAI_CHAT)
        .setRequestedModel(model)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(text)).build()))
        .setReceivedAt(NOW)
        .build();
  }

  private static ModelSpec model(final String id, final String capability) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(id.substring(id.indexOf('/') + 1)).setFamily("f")
        .setInputMicrosPerMillion(20_000).setOutputMicrosPerMillion(0)
        .setContextWindow(8192).setCapabilities(List.of(capability))
        .build();
  }

  private static Route rule(final String key, final String... chain) {
    final String[] parts = key.split("/");
    return Route.newBuilder().setTier(parts[0]).setMode(parts[1]).setModels(List.of(chain))
        .setParams(Map.of()).build();
  }

  private static ByteArrayInputStream stream(final String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
