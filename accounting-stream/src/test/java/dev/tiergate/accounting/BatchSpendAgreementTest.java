package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.MINI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.accounting.batch.BatchConfig;
import dev.tiergate.accounting.batch.BatchProgressTopology;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch progress and spend read the same usage and keep the same first usage per correlation id,
 * so a batch costs exactly what spend billed for its items, with second calls in between.
 */
class BatchSpendAgreementTest {

  private static final String BATCH = "batch_nightly";

  @TempDir Path accountingState;
  @TempDir Path batchState;

  @Test
  void batchCostEqualsWhatSpendBilledForItsItems() {
    final List<UsageEvent> usage = List.of(
        item("req_1", GPT, 1_000, 200),
        item("req_2", MINI, 500, 50),
        item("req_1", MINI, 10, 10), // a second call for req_1: platform cost, not batch cost
        item("req_3", GPT, 30, 7),
        UsageEvent.newBuilder(item("req_2", GPT, 900, 900)).setCancelled(true).build(),
        item("req_4", GPT, 0, 100));

    final long batchCost = batchCost(usage);
    try (TopologyFixture spend = TopologyFixture.start(accountingState)) {
      usage.forEach(spend::send);
      final SpendAggregate billed = spend.total("acme", SpendDimension.FEATURE, "nightly");
      assertThat(billed.getRequests()).isEqualTo(4);
      assertThat(billed.getDuplicateRequests()).isEqualTo(2);
      assertThat(batchCost).isEqualTo(billed.getCostMicros());
      // 1000×1.25 + 200×10 = 3250; 500×0.25 + 50×2 = 225; 30×1.25 + 7×10 = 107.5 → 108; 1000.
      assertThat(batchCost).isEqualTo(3_250 + 225 + 108 + 1_000);
    }
  }

  /** The batch-progress topology fed the same usage (and an answer per item), its cost read back. */
  private long batchCost(final List<UsageEvent> usage) {
    final BatchConfig config = new BatchConfig(
        KafkaSettings.of("127.0.0.1:9092", "http://127.0.0.1:8081"), "tiergate-batches",
        Optional.of(batchState), Duration.ofMillis(100), Duration.ofSeconds(5),
        Duration.ofDays(7));
    try (TopologyTestDriver driver = new TopologyTestDriver(
        BatchProgressTopology.build(TopologyFixture.SERDES, config), config.streamsProperties())) {
      final TestInputTopic<String, UsageEvent> usageIn = driver.createInputTopic(
          Topics.USAGE.name(), new StringSerializer(),
          Topics.USAGE.valueSerde(TopologyFixture.SERDES).serializer());
      final TestInputTopic<String, ChatResponse> responses = driver.createInputTopic(
          Topics.RESPONSES.name(), new StringSerializer(),
          Topics.RESPONSES.valueSerde(TopologyFixture.SERDES).serializer());
      final TestOutputTopic<String, BatchProgress> progress = driver.createOutputTopic(
          Topics.BATCHES.name(), new StringDeserializer(),
          Topics.BATCHES.valueSerde(TopologyFixture.SERDES).deserializer());
      driver.createInputTopic(Topics.MODELS.name(), new StringSerializer(),
              Topics.MODELS.valueSerde(TopologyFixture.SERDES).serializer())
          .pipeKeyValueList(List.of(
              new KeyValue<>(GPT,
                  TestData.model(GPT, 1_250_000, 125_000, 10_000_000)),
              new KeyValue<>(MINI,
                  TestData.model(MINI, 250_000, 25_000, 2_000_000))));
      for (final UsageEvent event : usage) {
        usageIn.pipeInput(event.getCorrelationId(), event, TopologyFixture.PRODUCED_AT);
        responses.pipeInput(event.getCorrelationId(), answer(event), TopologyFixture.PRODUCED_AT);
      }
      final BatchProgress last = progress.readKeyValuesToMap().get(BATCH);
      assertThat(last.getDone()).isEqualTo(4);
      return last.getCostMicros();
    }
  }

  private static UsageEvent item(
      final String id, final String model, final long input, final long output) {
    return UsageEvent.newBuilder(event(id, "acme", "background", model, usage(input, 0, output, 0)))
        .setFeature("nightly")
        .setBatchId(BATCH)
        .build();
  }

  private static ChatResponse answer(final UsageEvent usage) {
    return ChatResponse.newBuilder()
        .setCorrelationId(usage.getCorrelationId())
        .setTenant(usage.getTenant())
        .setModel(usage.getModel())
        .setContent("ok")
        .setFinishReason("stop")
        .setUsage(usage.getUsage())
        .setBatchId(BATCH)
        .setBatchItemId("item-" + usage.getCorrelationId())
        .setCreatedAt(usage.getOccurredAt())
        .build();
  }
}
