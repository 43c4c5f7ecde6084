package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.model;
import static dev.tiergate.accounting.TestData.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountingTopologyTest {

  private static final String GPT = "openai/gpt-5";
  private static final String CLAUDE = "anthropic/claude-sonnet-4-5";
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> usage;
  private TestInputTopic<String, ModelSpec> models;
  private TestOutputTopic<String, SpendAggregate> spend;
  private TestOutputTopic<String, byte[]> deadLetters;
  private Serde<UsageEvent> usageSerde;

  @BeforeEach
  void startDriver() {
    final AccountingConfig config = TestData.config(stateDir);
    driver = new TopologyTestDriver(
        AccountingTopology.build(SERDES, config), config.streamsProperties());
    usageSerde = Topics.USAGE.valueSerde(SERDES);
    usage = driver.createInputTopic(
        Topics.USAGE.name(), new StringSerializer(), new ByteArraySerializer());
    models = driver.createInputTopic(
        Topics.MODELS.name(), new StringSerializer(),
        Topics.MODELS.valueSerde(SERDES).serializer());
    spend = driver.createOutputTopic(
        Topics.SPEND.name(), new StringDeserializer(),
        Topics.SPEND.valueSerde(SERDES).deserializer());
    deadLetters = driver.createOutputTopic(
        Topics.USAGE_DLQ.name(), new StringDeserializer(),
        Topics.USAGE_DLQ.valueSerde(SERDES).deserializer());
    // $1.25/M in, $0.125/M cached, $10/M out; and $3/M in, $0.30/M cached, $15/M out.
    models.pipeInput(GPT, model(GPT, 1_250_000, 125_000, 10_000_000));
    models.pipeInput(CLAUDE, model(CLAUDE, 3_000_000, 300_000, 15_000_000));
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void sumsSpendPerTenantAndModeExactly() {
    // 1000 in (400 cached), 200 out: 600*1.25 + 400*0.125 + 200*10 = 750 + 50 + 2000 = 2800.
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));
    // 3 in, 1 out: 3.75 + 10 = 13.75 -> 14 (rounded once per request).
    send(event("req_2", "t", "plan", GPT, usage(3, 0, 1, 0)));
    // 10000 in, 3000 out: 30000 + 45000 = 75000.
    send(event("req_3", "t", "code", CLAUDE, usage(10_000, 0, 3_000, 1_000)));

    final SpendAggregate plan = stored("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(2);
    assertThat(plan.getCostMicros()).isEqualTo(2_814);
    assertThat(plan.getInputTokens()).isEqualTo(1_003);
    assertThat(plan.getCachedInputTokens()).isEqualTo(400);
    assertThat(plan.getOutputTokens()).isEqualTo(201);
    assertThat(plan.getReasoningTokens()).isEqualTo(50);
    assertThat(plan.getUnpricedRequests()).isZero();

    final SpendAggregate code = stored("t", SpendDimension.MODE, "code");
    assertThat(code.getRequests()).isEqualTo(1);
    assertThat(code.getCostMicros()).isEqualTo(75_000);
    assertThat(code.getTenant()).isEqualTo("t");
    assertThat(code.getDimension()).isEqualTo("mode");
    assertThat(code.getWindow()).isEqualTo("total");
    assertThat(code.getWindowStart()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void alsoAggregatesPerModelAndTier() {
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));
    send(event("req_2", "t", "code", CLAUDE, usage(10_000, 0, 3_000, 1_000)));

    assertThat(stored("t", SpendDimension.MODEL, GPT).getCostMicros()).isEqualTo(2_800);
    assertThat(stored("t", SpendDimension.MODEL, CLAUDE).getCostMicros()).isEqualTo(75_000);
    assertThat(stored("t", SpendDimension.TIER, "balanced").getCostMicros()).isEqualTo(77_800);
    assertThat(stored("t", SpendDimension.TIER, "balanced").getRequests()).isEqualTo(2);
  }

  @Test
  void publishesEachUpdateToTheSpendTopic() {
    send(event("req_1", "t", "plan", GPT, usage(3, 0, 1, 0)));
    send(event("req_2", "t", "plan", GPT, usage(3, 0, 1, 0)));

    final String planKey = topicKey("t", SpendDimension.MODE, "plan");
    final Map<String, SpendAggregate> latest = spend.readKeyValuesToMap();
    assertThat(latest.get(planKey).getRequests()).isEqualTo(2);
    assertThat(latest.get(planKey).getCostMicros()).isEqualTo(28);
  }

  @Test
  void countsUnknownModelsAtZeroAndFlagsThem() {
    send(event("req_1", "t", "debug", "acme/mystery-1", usage(500, 0, 100, 0)));
    send(event("req_2", "t", "debug", GPT, usage(3, 0, 1, 0)));

    final SpendAggregate debug = stored("t", SpendDimension.MODE, "debug");
    assertThat(debug.getRequests()).isEqualTo(2);
    assertThat(debug.getUnpricedRequests()).isEqualTo(1);
    assertThat(debug.getInputTokens()).isEqualTo(503);
    assertThat(debug.getCostMicros()).isEqualTo(14);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void pricesAtTheCatalogueEntryInForceWhenProcessed() {
    send(event("req_1", "t", "plan", GPT, usage(1_000_000, 0, 0, 0)));
    models.pipeInput(GPT, model(GPT, 2_000_000, 125_000, 10_000_000));
    send(event("req_2", "t", "plan", GPT, usage(1_000_000, 0, 0, 0)));

    assertThat(stored("t", SpendDimension.MODE, "plan").getCostMicros())
        .isEqualTo(1_250_000 + 2_000_000);
  }

  @Test
  void deadLettersUndecodableRecordsAndKeepsRunning() {
    final byte[] garbage = "not avro at all \u0000\u00ff".getBytes(StandardCharsets.UTF_8);
    usage.pipeInput("req_bad", garbage);
    send(event("req_ok", "t", "plan", GPT, usage(3, 0, 1, 0)));

    final TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo("req_bad");
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("undecodable UsageEvent"));
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_SOURCE))
        .contains(Topics.USAGE.name() + "-0@0");
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(stored("t", SpendDimension.MODE, "plan").getCostMicros()).isEqualTo(14);
  }

  @Test
  void deadLettersUsageThatCannotBePriced() {
    final byte[] raw = bytes(event("req_bad", "t", "plan", GPT, usage(10, 11, 0, 0)));
    usage.pipeInput("req_bad", raw);

    final TestRecord<String, byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(raw);
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason).contains("cachedInputTokens"));
    assertThat(store().get(key("t", SpendDimension.MODE, "plan"))).isNull();
  }

  @Test
  void retriesInsteadOfDeadLetteringWhenTheRegistryIsUnreachable() {
    final SerdeFactory registryDown = new SerdeFactory() {
      @Override
      public <T extends SpecificRecord> Serde<T> avro(final Class<T> type) {
        final Serde<T> real = SERDES.avro(type);
        if (type != UsageEvent.class) {
          return real;
        }
        return Serdes.serdeFrom(real.serializer(), (topic, bytes) -> {
          throw new IllegalStateException("registry lookup failed",
              new ConnectException("Connection refused"));
        });
      }
    };
    final AccountingConfig config = TestData.config(stateDir.resolve("down"));
    try (TopologyTestDriver down = new TopologyTestDriver(
        AccountingTopology.build(registryDown, config), config.streamsProperties())) {
      final TestInputTopic<String, byte[]> input = down.createInputTopic(
          Topics.USAGE.name(), new StringSerializer(), new ByteArraySerializer());
      final TestOutputTopic<String, byte[]> dlq = down.createOutputTopic(
          Topics.USAGE_DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer());

      assertThatThrownBy(() -> input.pipeInput("req_1",
              bytes(event("req_1", "t", "plan", GPT, usage(3, 0, 1, 0)))))
          .hasRootCauseInstanceOf(ConnectException.class);
      assertThat(dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void pinsStepStoreAndTopicNames() {
    final Topology topology =
        AccountingTopology.build(SERDES, TestData.config(stateDir));
    final Names names = Names.of(topology.describe());

    assertThat(names.nodes).containsExactlyInAnyOrder(
        "usage-source", "decode-usage", "usage-", "usage-invalid", "usage-valid",
        "dead-letter-bytes", "usage-dlq-sink", "valid-usage",
        "models-source", "models", "routes-source", "routes", "budgets-source", "budgets",
        "virtual-keys-source", "virtual-keys",
        "price-usage", "find-frontier-model", "price-counterfactual", "dedupe-usage",
        "presum-spend",
        "spend-by-tenant-repartition-filter", "spend-by-tenant-repartition-sink",
        "spend-by-tenant-repartition-source", "cap-spend-values",
        "spend-capped-repartition-filter", "spend-capped-repartition-sink",
        "spend-capped-repartition-source",
        "sum-spend", "spend-updates", "spend-keyed", "spend-sink",
        "spend-hour-dimensions", "spend-day-dimensions", "spend-month-dimensions",
        "sum-spend-hour", "spend-hour-updates", "spend-hour-keyed", "spend-hour-sink",
        "sum-spend-day", "spend-day-updates", "spend-day-keyed", "spend-day-sink",
        "sum-spend-month", "spend-month-updates", "spend-month-keyed", "spend-month-sink",
        "billed-usage-only", "match-budgets", "budget-usage-repartition-filter", "budget-usage-repartition-sink",
        "budget-usage-repartition-source", "track-budgets", "budget-", "budget-alert",
        "budget-state", "budget-alert-by-id", "budget-alert-sink", "budget-state-by-id",
        "budget-state-sink");
    assertThat(names.stores).containsExactlyInAnyOrder(
        "billed-usage-store", "spend-pending-store", "spend-values-store", "spend-store",
        "spend-hour-store", "spend-day-store", "spend-month-store",
        "budget-state-store", "budget-alerts-store",
        "models-store", "routes-store", "budgets-store", "virtual-keys-store");
    assertThat(names.topics).containsExactlyInAnyOrder(
        Topics.USAGE.name(), Topics.USAGE_DLQ.name(), Topics.SPEND.name(), Topics.MODELS.name(),
        Topics.ROUTES.name(), Topics.BUDGETS.name(), Topics.VIRTUAL_KEYS.name(),
        Topics.BUDGET_STATE.name(), Topics.BUDGET_ALERTS.name(),
        "spend-by-tenant-repartition", "spend-capped-repartition", "budget-usage-repartition");
  }

  private void send(final UsageEvent event) {
    usage.pipeInput(event.getCorrelationId(), bytes(event));
    driver.advanceWallClockTime(TestData.PRESUM);
  }

  private byte[] bytes(final UsageEvent event) {
    return usageSerde.serializer().serialize(Topics.USAGE.name(), event);
  }

  private KeyValueStore<String, SpendAggregate> store() {
    return driver.getKeyValueStore(AccountingTopology.SPEND_STORE);
  }

  private SpendAggregate stored(
      final String tenant, final SpendDimension dimension, final String value) {
    final SpendAggregate aggregate = store().get(key(tenant, dimension, value));
    assertThat(aggregate).as("aggregate %s/%s/%s", tenant, dimension, value).isNotNull();
    return aggregate;
  }

  private static String key(
      final String tenant, final SpendDimension dimension, final String value) {
    return SpendKey.storeKey(tenant, dimension, value);
  }

  private static String topicKey(
      final String tenant, final SpendDimension dimension, final String value) {
    return new SpendKey(tenant, dimension, SpendWindow.TOTAL, Instant.EPOCH, value).encode();
  }

  /** Every node, store and topic name in a topology description. */
  private record Names(Set<String> nodes, Set<String> stores, Set<String> topics) {

    static Names of(final TopologyDescription description) {
      final Names names = new Names(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
      description.subtopologies().forEach(sub -> sub.nodes().forEach(names::add));
      description.globalStores().forEach(global -> {
        names.add(global.source());
        names.add(global.processor());
        names.stores.addAll(global.processor().stores());
      });
      return names;
    }

    private void add(final TopologyDescription.Node node) {
      nodes.add(node.name());
      if (node instanceof TopologyDescription.Processor processor) {
        stores.addAll(processor.stores());
      } else if (node instanceof TopologyDescription.Source source) {
        topics.addAll(source.topicSet());
      } else if (node instanceof TopologyDescription.Sink sink) {
        topics.add(sink.topic());
      }
    }
  }
}
