package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTopologyTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();

  @TempDir Path stateDir;

  private RouterConfig config;
  private TopologyTestDriver driver;
  private TestInputTopic<String, ChatRequest> requests;
  private TestInputTopic<String, byte[]> rawRequests;
  private TestInputTopic<String, Route> routes;
  private TestOutputTopic<String, RoutedRequest> routed;
  private TestOutputTopic<String, RoutedRequest> routedBatch;
  private TestOutputTopic<String, ChatResponse> responses;
  private TestOutputTopic<String, byte[]> deadLetters;
  private int sequence;

  @BeforeEach
  void startDriver() {
    config =
        RouterConfig.defaults(KafkaSettings.of("localhost:9092", "http://localhost:8081"))
            .withStateDir(stateDir)
            // The predictor has its own tests (RouterRulesTest); here no mode means the tier default.
            .withPolicy(RouterConfig.Policy.defaults().withPredict(false));
    driver =
        new TopologyTestDriver(
            RouterTopology.build(SERDES, config), config.streamsProperties(), NOW);
    requests =
        driver.createInputTopic(
            Topics.REQUESTS.name(),
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde(SERDES).serializer());
    rawRequests =
        driver.createInputTopic(
            Topics.REQUESTS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    routes =
        driver.createInputTopic(
            Topics.ROUTES.name(),
            Topics.ROUTES.keySerde().serializer(),
            Topics.ROUTES.valueSerde(SERDES).serializer());
    routed =
        driver.createOutputTopic(
            Topics.ROUTED.name(),
            Topics.ROUTED.keySerde().deserializer(),
            Topics.ROUTED.valueSerde(SERDES).deserializer());
    routedBatch =
        driver.createOutputTopic(
            Topics.ROUTED_BATCH.name(),
            Topics.ROUTED_BATCH.keySerde().deserializer(),
            Topics.ROUTED_BATCH.valueSerde(SERDES).deserializer());
    responses =
        driver.createOutputTopic(
            Topics.RESPONSES.name(),
            Topics.RESPONSES.keySerde().deserializer(),
            Topics.RESPONSES.valueSerde(SERDES).deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.REQUESTS_DLQ.name(),
            Serdes.String().deserializer(),
            Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void sessionStoreSendsItsChangelogWithTheCommit() {
    StateStore layer = RouterTopology.sessionStore().build();
    boolean cached = false;
    boolean logged = false;
    while (layer instanceof WrappedStateStore<?, ?, ?> wrapper) {
      cached |= wrapper.getClass().getSimpleName().startsWith("Caching");
      logged |= wrapper.getClass().getSimpleName().startsWith("ChangeLogging");
      layer = wrapper.wrapped();
    }
    assertThat(cached).as("a caching layer").isTrue();
    assertThat(logged).as("a changelog").isTrue();
  }

  @Test
  void routesPlanModeToFrontierModel() {
    seedDefaultTable();
    final ChatRequest request = request("frontier", " Plan ", null);

    requests.pipeInput(request.getSessionId(), request);

    final TestRecord<String, RoutedRequest> out = routed.readRecord();
    final RoutingDecision decision = out.value().getDecision();
    assertThat(out.key()).isEqualTo(request.getCorrelationId());
    assertThat(TiergateHeaders.get(out.headers(), TiergateHeaders.CORRELATION_ID))
        .contains(request.getCorrelationId());
    assertThat(decision.getModelChain()).containsExactly("anthropic/claude-sonnet-4.5", "openai/gpt-5");
    assertThat(decision.getTier()).isEqualTo("frontier");
    assertThat(decision.getMode()).isEqualTo("plan");
    assertThat(decision.getRuleKey()).isEqualTo("frontier/plan");
    assertThat(decision.getReason()).isEqualTo("frontier/plan matched");
    assertThat(decision.getPredicted()).isFalse();
    assertThat(decision.getParams()).containsEntry("reasoning_effort", "high");
    assertThat(decision.getRoutedAt()).isEqualTo(NOW);
    assertThat(out.value().getRequest()).isEqualTo(request);
    assertThat(responses.isEmpty()).isTrue();
  }

  @Test
  void routesBatchItemsToTheirOwnTopicAndInteractiveRequestsToRouted() {
    seedDefaultTable();
    final ChatRequest byKind = request("frontier", "plan", null);
    byKind.setApiKind(ApiKind.BATCH);
    final ChatRequest byBatchId = request("frontier", "plan", null);
    byBatchId.setBatchId("batch_nightly");
    final ChatRequest interactive = request("frontier", "plan", null);

    for (final ChatRequest request : List.of(byKind, byBatchId, interactive)) {
      requests.pipeInput(request.getSessionId(), request);
    }

    final List<TestRecord<String, RoutedRequest>> batch = routedBatch.readRecordsToList();
    assertThat(batch).extracting(TestRecord::key)
        .containsExactly(byKind.getCorrelationId(), byBatchId.getCorrelationId());
    assertThat(batch.get(0).value().getDecision().getModelChain()).first()
        .isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(routed.readKeyValuesToList()).extracting(kv -> kv.key)
        .containsExactly(interactive.getCorrelationId());
  }

  @Test
  void fallsBackToTierDefaultForUnknownMode() {
    seedDefaultTable();

    final RoutingDecision decision = route(request("frontier", "review", null));

    assertThat(decision.getRuleKey()).isEqualTo("frontier/*");
    assertThat(decision.getMode()).isEqualTo("review");
    assertThat(decision.getReason()).isEqualTo("no rule frontier/review; fell back to frontier/*");
    assertThat(decision.getModelChain()).first().isEqualTo("openai/gpt-5");
  }

  @Test
  void routesRequestWithoutTierOrModeToDefaultTierDefault() {
    seedDefaultTable();

    final RoutingDecision decision = route(request(null, null, null));

    assertThat(decision.getTier()).isEqualTo("balanced");
    assertThat(decision.getMode()).isEqualTo("none");
    assertThat(decision.getRuleKey()).isEqualTo("balanced/*");
    assertThat(decision.getReason()).isEqualTo("no mode given; balanced/* matched");
  }

  @Test
  void unknownTierFallsBackToDefaultTier() {
    seedDefaultTable();

    final RoutingDecision decision = route(request("platinum", "code", null));

    assertThat(decision.getTier()).isEqualTo("balanced");
    assertThat(decision.getRuleKey()).isEqualTo("balanced/code");
    assertThat(decision.getReason())
        .startsWith("tier platinum has no rule")
        .contains("fell back to default tier balanced")
        .endsWith("balanced/code matched");
  }

  @Test
  void virtualAutoModelSelectsTheTier() {
    seedDefaultTable();

    final RoutingDecision decision = route(request(null, "plan", "kilo-auto/frontier"));

    assertThat(decision.getRuleKey()).isEqualTo("frontier/plan");
  }

  @Test
  void unroutableRequestGetsErrorReplyInsteadOfRoute() {
    routes.pipeInput("frontier/*", rule("frontier", "*", "openai/gpt-5", "openai/gpt-4.1"));
    final ChatRequest request = request("gold", "plan", null);

    requests.pipeInput(request.getSessionId(), request);

    assertThat(routed.isEmpty()).isTrue();
    final TestRecord<String, ChatResponse> out = responses.readRecord();
    assertThat(out.key()).isEqualTo(request.getCorrelationId());
    assertThat(TiergateHeaders.get(out.headers(), TiergateHeaders.CORRELATION_ID))
        .contains(request.getCorrelationId());
    final ChatResponse response = out.value();
    assertThat(response.getCorrelationId()).isEqualTo(request.getCorrelationId());
    assertThat(response.getSessionId()).isEqualTo(request.getSessionId());
    assertThat(response.getFinishReason()).isEqualTo("error");
    assertThat(response.getError().getType()).isEqualTo("unroutable");
    assertThat(response.getError().getHttpStatus()).isEqualTo(422);
    assertThat(response.getError().getMessage())
        .contains("tier 'gold'")
        .contains("mode 'plan'")
        .contains("gold/plan, gold/*, balanced/plan, balanced/*");
    assertThat(response.getCreatedAt()).isEqualTo(NOW);
  }

  @Test
  void explicitProviderModelBypassesRoutingTable() {
    seedDefaultTable();
    final ChatRequest request = request("frontier", "code", "openai/gpt-4.1");

    requests.pipeInput(request.getSessionId(), request);

    final RoutingDecision decision = routed.readValue().getDecision();
    assertThat(decision.getModelChain()).containsExactly("openai/gpt-4.1");
    assertThat(decision.getRuleKey()).isEqualTo("explicit");
    assertThat(decision.getTier()).isEqualTo("frontier");
    assertThat(decision.getReason()).contains("explicit model openai/gpt-4.1");
    assertThat(decision.getParams()).isEmpty();
    assertThat(responses.isEmpty()).isTrue();
  }

  @Test
  void changedRouteAppliesToNextRequestWithoutRestart() {
    seedDefaultTable();
    assertThat(route(request("frontier", "plan", null)).getModelChain())
        .containsExactly("anthropic/claude-sonnet-4.5", "openai/gpt-5");

    routes.pipeInput("frontier/plan", rule("frontier", "plan", "openai/gpt-4.1", "openai/gpt-5"));
    assertThat(route(request("frontier", "plan", null)).getModelChain())
        .containsExactly("openai/gpt-4.1", "openai/gpt-5");

    routes.pipeInput("frontier/plan", (Route) null);
    assertThat(route(request("frontier", "plan", null)).getRuleKey()).isEqualTo("frontier/*");
  }

  @Test
  void garbageBytesGoToDeadLettersAndNextRequestIsStillRouted() {
    seedDefaultTable();
    final byte[] garbage = "this is not avro".getBytes(StandardCharsets.UTF_8);

    rawRequests.pipeInput("sess_bad", garbage);
    final ChatRequest good = request("frontier", "plan", null);
    requests.pipeInput(good.getSessionId(), good);

    final TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("sess_bad");
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("undecodable ChatRequest"));
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_SOURCE))
        .contains(Topics.REQUESTS.name() + "-0@0");
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(routed.readValue().getRequest().getCorrelationId())
        .isEqualTo(good.getCorrelationId());
  }

  @Test
  void undecodableRuleIsSkippedAndPreviousRuleStays() {
    seedDefaultTable();
    final TestInputTopic<String, byte[]> rawRoutes =
        driver.createInputTopic(
            Topics.ROUTES.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());

    rawRoutes.pipeInput("frontier/plan", "garbage".getBytes(StandardCharsets.UTF_8));

    assertThat(route(request("frontier", "plan", null)).getModelChain())
        .containsExactly("anthropic/claude-sonnet-4.5", "openai/gpt-5");
  }

  @Test
  void topologyStepNamesArePinned() {
    final Topology topology = RouterTopology.build(SERDES, config);
    final Set<String> nodes = new TreeSet<>();
    final Set<String> stores = new TreeSet<>();
    collect(topology.describe(), nodes, stores);

    assertThat(stores)
        .containsExactlyInAnyOrder(
            "router-routes-store",
            "router-models-store",
            "router-budget-state-store",
            "router-budgets-store",
            "router-sessions-store",
            "router-reservations-store");
    assertThat(nodes)
        .containsExactlyInAnyOrder(
            "router-routes-table-source",
            "router-routes-table",
            "router-models-table-source",
            "router-models-table",
            "router-budget-state-table-source",
            "router-budget-state-table",
            "router-budgets-table-source",
            "router-budgets-table",
            "router-usage-source",
            "router-see-usage",
            "router-requests-source",
            "router-decode-request",
            "router-decode-",
            "router-decode-ok",
            "router-decode-dead-letter",
            "router-count-dead-letter",
            "router-dead-letter-bytes",
            "router-requests-dlq-sink",
            "router-decoded-request",
            "router-resolve-route",
            "router-key-by-correlation-id",
            "router-outcome-",
            "router-outcome-routed",
            "router-outcome-unroutable",
            "router-routed-request",
            "router-plan-reservation",
            "router-reservation-",
            "router-reservation-reserve",
            "router-reservation-direct",
            "router-reserve-by-tenant",
            "router-merge-usage-sightings",
            "router-reservations-by-tenant-repartition-filter",
            "router-reservations-by-tenant-repartition-sink",
            "router-reservations-by-tenant-repartition-source",
            "router-reserve-budget",
            "router-reserved-",
            "router-reserved-admitted",
            "router-reserved-refused",
            "router-admitted-request",
            "router-refused-response",
            "router-refused-sink",
            "router-admitted-kind-",
            "router-admitted-kind-batch",
            "router-admitted-kind-interactive",
            "router-admitted-sink",
            "router-admitted-batch-sink",
            "router-routed-kind-",
            "router-routed-kind-batch",
            "router-routed-kind-interactive",
            "router-routed-sink",
            "router-routed-batch-sink",
            "router-unroutable-response",
            "router-unroutable-sink");
    // Requests (and usage sightings) up to the hop by tenant; the tenant's reservations after it.
    assertThat(topology.describe().subtopologies()).hasSize(2);
  }

  /**
   * The session store's changelog, and for requests a hard budget covers, the named repartition
   * by tenant and the reservations' changelog; nothing generated.
   */
  @Test
  void internalTopicsAreTheNamedChangelogsAndTheReservationRepartition() {
    final Set<String> topics = new TreeSet<>();
    topology().describe().subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
      if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
        topics.addAll(source.topicSet());
      }
      if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
        topics.add(sink.topic());
      }
    }));

    assertThat(topics).filteredOn(topic -> topic.contains("repartition"))
        .containsExactly("router-reservations-by-tenant-repartition");
    seedDefaultTable();
    route(request("frontier", "plan", null));
    // No hard budget: the request never takes the hop by tenant.
    assertThat(driver.producedTopicNames())
        .contains("tiergate-router-router-sessions-store-changelog")
        .noneMatch(topic -> topic.contains("repartition"));
  }

  private Topology topology() {
    return RouterTopology.build(SERDES, config);
  }

  private static void collect(
      final TopologyDescription description, final Set<String> nodes, final Set<String> stores) {
    description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> nodes.add(node.name())));
    description
        .globalStores()
        .forEach(
            global -> {
              nodes.add(global.source().name());
              nodes.add(global.processor().name());
              stores.addAll(global.processor().stores());
            });
    description
        .subtopologies()
        .forEach(
            sub ->
                sub.nodes().stream()
                    .filter(node -> node instanceof TopologyDescription.Processor)
                    .forEach(node -> stores.addAll(((TopologyDescription.Processor) node).stores())));
  }

  private RoutingDecision route(final ChatRequest request) {
    requests.pipeInput(request.getSessionId(), request);
    return routed.readValue().getDecision();
  }

  private void seedDefaultTable() {
    DefaultRoutingTable.load().routes().forEach(routes::pipeInput);
  }

  private static Route rule(final String tier, final String mode, final String... models) {
    return Route.newBuilder()
        .setTier(tier)
        .setMode(mode)
        .setModels(List.of(models))
        .setParams(Map.of())
        .build();
  }

  private ChatRequest request(final String tier, final String mode, final String model) {
    sequence++;
    return ChatRequest.newBuilder()
        .setCorrelationId("req_" + sequence)
        .setSessionId("sess_" + sequence)
        .setTenant("acme")
        .setTier(tier)
        .setMode(mode)
        .setRequestedModel(model)
        .setMessages(
            List.of(
                Message.newBuilder()
                    .setRole("user")
                    .setParts(List.of())
                    .build()))
        .setReceivedAt(NOW)
        .build();
  }
}
