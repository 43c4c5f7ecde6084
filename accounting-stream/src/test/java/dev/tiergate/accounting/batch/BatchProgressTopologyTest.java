package dev.tiergate.accounting.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.runtime.BatchIds;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchProgressTopologyTest {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final String GPT = "openai/gpt-5";
  private static final String BATCH = "batch_abc";
  private static final Instant AT = Instant.parse("2026-06-01T12:00:00Z");

  @TempDir Path stateDir;

  private BatchConfig config;
  private TopologyTestDriver driver;
  private TestInputTopic<String, ChatResponse> responses;
  private TestInputTopic<String, UsageEvent> usage;
  private TestInputTopic<String, BatchManifest> manifests;
  private TestOutputTopic<String, BatchProgress> progress;

  @BeforeEach
  void startDriver() {
    config =
        new BatchConfig(
            KafkaSettings.of("127.0.0.1:9092", "http://127.0.0.1:8081"), "tiergate-batches",
            Optional.of(stateDir), Duration.ofMillis(100), Duration.ofSeconds(5),
            Duration.ofDays(7));
    driver =
        new TopologyTestDriver(
            BatchProgressTopology.build(SERDES, config), config.streamsProperties());
    responses = driver.createInputTopic(
        Topics.RESPONSES.name(), new StringSerializer(),
        Topics.RESPONSES.valueSerde(SERDES).serializer());
    usage = driver.createInputTopic(
        Topics.USAGE.name(), new StringSerializer(),
        Topics.USAGE.valueSerde(SERDES).serializer());
    manifests = driver.createInputTopic(
        Topics.BATCH_MANIFESTS.name(), new StringSerializer(),
        Topics.BATCH_MANIFESTS.valueSerde(SERDES).serializer());
    progress = driver.createOutputTopic(
        Topics.BATCHES.name(), new StringDeserializer(),
        Topics.BATCHES.valueSerde(SERDES).deserializer());
    // $1.25/M in, $0.125/M cached, $10/M out.
    driver
        .createInputTopic(
            Topics.MODELS.name(), new StringSerializer(),
            Topics.MODELS.valueSerde(SERDES).serializer())
        .pipeInput(GPT, model());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void countsDoneFailedAndCostAgainstTheManifestTotal() {
    manifests.pipeInput(BATCH, manifest(3));
    answer(served("req_1", 1_000, 200));
    answer(served("req_2", 3, 1));
    answer(failed("req_3"));

    final BatchProgress last = latest();
    assertThat(last.getTotal()).isEqualTo(3);
    assertThat(last.getDone()).isEqualTo(2);
    assertThat(last.getFailed()).isEqualTo(1);
    assertThat(last.getTenant()).isEqualTo("acme");
    // 1000 x 1.25 + 200 x 10 = 3250 micro-dollars; 3 x 1.25 + 1 x 10 = 13.75, rounded half up 14.
    assertThat(last.getCostMicros()).isEqualTo(3_250 + 14);
  }

  @Test
  void countsARedeliveredAnswerOnce() {
    manifests.pipeInput(BATCH, manifest(2));
    answer(served("req_1", 1_000, 200));
    answer(served("req_1", 1_000, 200));
    answer(failed("req_1"));

    final BatchProgress last = latest();
    assertThat(last.getDone()).isEqualTo(1);
    assertThat(last.getFailed()).isZero();
    assertThat(last.getCostMicros()).isEqualTo(3_250);
  }

  @Test
  void costsTheFirstUsageOfAnItemWhateverOrderTheAnswersCameIn() {
    // Two provider calls for one item: call A's usage reached the usage topic first, call B's
    // answer reached the responses topic first. Spend bills A, so the batch costs A.
    final ChatResponse callA = served("req_1", 1_000, 200);
    final ChatResponse callB = served("req_1", 10, 10);
    usage.pipeInput("req_1", usageOf(callA), AT);
    responses.pipeInput("req_1", callB, AT);
    usage.pipeInput("req_1", usageOf(callB), AT);
    responses.pipeInput("req_1", callA, AT);

    final BatchProgress last = latest();
    assertThat(last.getDone()).isEqualTo(1);
    assertThat(last.getCostMicros()).isEqualTo(3_250);
  }

  @Test
  void skipsUsageTheAccountingStreamDeadLetters() {
    final ChatResponse answer = served("req_1", 1_000, 200);
    // An unpriceable usage (cached above input) is never billed, so it cannot be the first.
    usage.pipeInput("req_1", UsageEvent.newBuilder(usageOf(answer))
        .setUsage(Usage.newBuilder().setInputTokens(1).setCachedInputTokens(5).build())
        .build(), AT);
    answer(answer);

    assertThat(latest().getCostMicros()).isEqualTo(3_250);
  }

  @Test
  void anInterruptedAnswerIsFailedButItsTokensStillCost() {
    final ChatResponse interrupted = ChatResponse.newBuilder(served("req_1", 1_000, 200))
        .setFinishReason("error")
        .setError(new ErrorInfo("stream_interrupted", "cut", 502))
        .build();
    answer(interrupted);

    final BatchProgress last = latest();
    assertThat(last.getFailed()).isEqualTo(1);
    assertThat(last.getDone()).isZero();
    assertThat(last.getCostMicros()).isEqualTo(3_250);
  }

  @Test
  void publishesTheTotalAsSoonAsTheManifestArrives() {
    manifests.pipeInput(BATCH, manifest(1_000));

    final BatchProgress first = latest();
    assertThat(first.getTotal()).isEqualTo(1_000);
    assertThat(first.getDone()).isZero();
    assertThat(first.getCostMicros()).isZero();
  }

  @Test
  void ignoresAnswersToInteractiveRequests() {
    final ChatResponse interactive =
        ChatResponse.newBuilder(served("req_9", 10, 10)).setBatchId(null).build();
    answer(interactive);

    assertThat(progress.isEmpty()).isTrue();
  }

  @Test
  void countsAnUnpricedModelAtZeroCostButStillDone() {
    answer(ChatResponse.newBuilder(served("req_1", 10, 10)).setModel("acme/unknown").build());

    final BatchProgress last = latest();
    assertThat(last.getDone()).isEqualTo(1);
    assertThat(last.getCostMicros()).isZero();
    assertThat(last.getTotal()).isZero();
  }

  @Test
  void pinsTheNamesOfEveryStepStoreAndTopic() {
    final Topology topology = BatchProgressTopology.build(SERDES, config);
    final Set<String> names = new TreeSet<>();
    final Set<String> stores = new TreeSet<>();
    final Set<String> topics = new TreeSet<>();
    final TopologyDescription description = topology.describe();
    description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
      names.add(node.name());
      if (node instanceof TopologyDescription.Processor processor) {
        stores.addAll(processor.stores());
      }
      if (node instanceof TopologyDescription.Sink sink) {
        topics.add(sink.topic());
      }
      if (node instanceof TopologyDescription.Source source) {
        topics.addAll(source.topicSet());
      }
    }));
    description.globalStores().forEach(global -> stores.addAll(global.processor().stores()));

    assertThat(names).contains(
        BatchProgressTopology.RESPONSES_SOURCE, BatchProgressTopology.BATCH_ITEMS_ONLY,
        BatchProgressTopology.KEY_BY_BATCH, BatchProgressTopology.DEDUPE_ITEMS,
        BatchProgressTopology.PRICE_ITEMS, BatchProgressTopology.SUM_PROGRESS,
        BatchProgressTopology.JOIN_MANIFEST, BatchProgressTopology.PROGRESS_UPDATES,
        BatchProgressTopology.PROGRESS_SINK, "batch-manifests-source");
    assertThat(names).contains(
        BatchProgressTopology.COUNT_ITEMS, BatchProgressTopology.USAGE_SOURCE,
        BatchProgressTopology.BILLABLE_BATCH_USAGE, BatchProgressTopology.FIRST_USAGE,
        BatchProgressTopology.USAGE_KEY_BY_BATCH, BatchProgressTopology.MERGE_DELTAS);
    assertThat(stores).contains(
        "batch-seen-items", "batch-billed-items", "batch-counts-store", "batch-manifests-store",
        "batch-models-store");
    assertThat(topics).contains(
        "batch-items-by-batch-repartition", "batch-usage-by-batch-repartition",
        Topics.USAGE.name(), Topics.RESPONSES.name(),
        Topics.BATCH_MANIFESTS.name(), Topics.BATCHES.name());
    assertThat(String.join(",", names)).doesNotContain("KSTREAM-", "KTABLE-");
  }

  @Test
  void derivesTheSameIdsFromTheSameInput() {
    final String batch = BatchIds.batchIdForContent("line\n".getBytes());
    assertThat(batch).startsWith("batch_").isEqualTo(BatchIds.batchIdForContent("line\n".getBytes()));
    assertThat(BatchIds.batchIdForContent("other\n".getBytes())).isNotEqualTo(batch);
    assertThat(BatchIds.itemCorrelationId(batch, "a"))
        .startsWith("req_")
        .isEqualTo(BatchIds.itemCorrelationId(batch, "a"))
        .isNotEqualTo(BatchIds.itemCorrelationId(batch, "b"));
    assertThat(BatchIds.itemCorrelationId("batch_a", "bc"))
        .isNotEqualTo(BatchIds.itemCorrelationId("batch_ab", "c"));
    assertThat(BatchIds.normaliseBatchId("nightly")).isEqualTo("batch_nightly");
    assertThat(BatchIds.normaliseBatchId("batch_x")).isEqualTo("batch_x");
  }

  /** An answer as the dispatcher sends it: its usage (when it cost tokens), then the response. */
  private void answer(final ChatResponse response) {
    if (response.getUsage() != null) {
      usage.pipeInput(response.getCorrelationId(), usageOf(response), AT);
    }
    responses.pipeInput(response.getCorrelationId(), response, AT);
  }

  private static UsageEvent usageOf(final ChatResponse response) {
    return UsageEvent.newBuilder()
        .setCorrelationId(response.getCorrelationId())
        .setTenant(response.getTenant())
        .setMode("background")
        .setTier("balanced")
        .setModel(response.getModel())
        .setProvider("openai")
        .setUsage(response.getUsage())
        .setInterrupted(response.getError() != null)
        .setBatchId(response.getBatchId())
        .setOccurredAt(AT)
        .build();
  }

  private BatchProgress latest() {
    final Map<String, BatchProgress> table = progress.readKeyValuesToMap();
    assertThat(table).containsKey(BATCH);
    return table.get(BATCH);
  }

  private static ChatResponse served(final String id, final long input, final long output) {
    return ChatResponse.newBuilder()
        .setCorrelationId(id)
        .setTenant("acme")
        .setModel(GPT)
        .setContent("ok")
        .setFinishReason("stop")
        .setUsage(Usage.newBuilder().setInputTokens(input).setOutputTokens(output).build())
        .setBatchId(BATCH)
        .setBatchItemId("item-" + id)
        .setCreatedAt(AT)
        .build();
  }

  private static ChatResponse failed(final String id) {
    return ChatResponse.newBuilder()
        .setCorrelationId(id)
        .setTenant("acme")
        .setFinishReason("error")
        .setError(new ErrorInfo("provider_error", "boom", 502))
        .setBatchId(BATCH)
        .setBatchItemId("item-" + id)
        .setCreatedAt(AT)
        .build();
  }

  private static BatchManifest manifest(final long total) {
    return BatchManifest.newBuilder()
        .setBatchId(BATCH)
        .setTenant("acme")
        .setTotal(total)
        .setSubmittedAt(AT)
        .build();
  }

  private static ModelSpec model() {
    return ModelSpec.newBuilder()
        .setId(GPT)
        .setProvider("openai")
        .setUpstreamModel("gpt-5")
        .setFamily("gpt")
        .setInputMicrosPerMillion(1_250_000)
        .setCachedInputMicrosPerMillion(125_000)
        .setOutputMicrosPerMillion(10_000_000)
        .setContextWindow(200_000)
        .build();
  }
}
