package dev.tiergate.launcher.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One charge per request on the embedded stack: a request is served through the gateway, then its
 * usage is produced onto {@code tiergate.usage} again with the figures of a second provider call
 * (as a request served twice after a rebalance or crash would). {@code /v1/spend} bills it once and
 * shows the second call as platform cost.
 */
class DuplicateUsageBillingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String FEATURE = "dup-billing";

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aRequestServedTwiceIsBilledOnceAndTheSecondCallIsPlatformCost() throws Exception {
    final HttpResponse<String> reply = chat("Plan the invoice export");
    assertThat(reply.statusCode()).isEqualTo(200);
    final UsageEvent first = usageOf(FEATURE);
    // frontier/debug starts with openai/gpt-5 in the default table: $1.25 in, $10 out per million
    // tokens, nothing cached.
    assertThat(first.getModel()).isEqualTo("openai/gpt-5");
    final long firstMicros = cost(first.getUsage());
    awaitRow(row -> assertThat(row.get("costMicros").asLong()).isEqualTo(firstMicros));

    final UsageEvent second = UsageEvent.newBuilder(first)
        .setUsage(Usage.newBuilder(first.getUsage())
            .setInputTokens(first.getUsage().getInputTokens() + 1_000)
            .setOutputTokens(first.getUsage().getOutputTokens() + 300)
            .build())
        .setOccurredAt(first.getOccurredAt().plusSeconds(2))
        .build();
    final long secondMicros = cost(second.getUsage());
    produce(second);

    final AtomicReference<JsonNode> report = new AtomicReference<>();
    awaitRow(row -> {
      assertThat(row.get("duplicateRequests").asLong()).isEqualTo(1);
      assertThat(row.get("duplicateCostMicros").asLong()).isEqualTo(secondMicros);
      assertThat(row.get("requests").asLong()).isEqualTo(1);
      assertThat(row.get("costMicros").asLong()).isEqualTo(firstMicros);
      assertThat(row.get("outputTokens").asLong()).isEqualTo(first.getUsage().getOutputTokens());
      report.set(spend());
    });
    assertThat(report.get().get("duplicateCostMicros").asLong()).isEqualTo(secondMicros);
    assertThat(report.get().get("totalMicros").asLong()).isEqualTo(firstMicros);
    // The page shows the figure too.
    final HttpResponse<String> page = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/dashboard")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.body()).contains("id=\"kpi-duplicates\"").contains("duplicateCostMicros");
  }

  private interface RowCheck {
    void check(JsonNode row) throws Exception;
  }

  private static void awaitRow(final RowCheck check) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      final JsonNode row = row(spend(), FEATURE);
      assertThat(row).as("spend row for feature %s", FEATURE).isNotNull();
      check.check(row);
    });
  }

  /** Micro-dollars at gpt-5's price, rounded half up once. */
  private static long cost(final Usage usage) {
    final long scaled = usage.getInputTokens() * 1_250_000L + usage.getOutputTokens() * 10_000_000L;
    return (scaled + 500_000) / 1_000_000;
  }

  /** The served request's usage, read back from the usage topic. */
  private static UsageEvent usageOf(final String feature) {
    final KafkaSettings settings = stack.kafkaSettings();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(
        settings.clientProperties(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
        Topics.USAGE.keySerde().deserializer(),
        Topics.USAGE.valueSerde(settings.serdes()).deserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final AtomicReference<UsageEvent> found = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (final ConsumerRecord<String, UsageEvent> record :
            consumer.poll(Duration.ofMillis(200))) {
          if (feature.equals(record.value().getFeature())) {
            found.set(record.value());
          }
        }
        return found.get() != null;
      });
      return found.get();
    }
  }

  private static void produce(final UsageEvent usage) throws Exception {
    final KafkaSettings settings = stack.kafkaSettings();
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(
        settings.clientProperties(Map.of()),
        Topics.USAGE.keySerde().serializer(),
        Topics.USAGE.valueSerde(settings.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(Topics.USAGE.name(), usage.getCorrelationId(), usage))
          .get();
    }
  }

  private static JsonNode spend() throws IOException, InterruptedException {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/v1/spend?by=feature"))
            .header("Authorization", "Bearer tg-demo-key")
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode row(final JsonNode report, final String value) {
    for (final JsonNode row : report.get("rows")) {
      if (value.equals(row.get("value").asText())) {
        return row;
      }
    }
    return null;
  }

  private static HttpResponse<String> chat(final String prompt)
      throws IOException, InterruptedException {
    final String body = JSON.createObjectNode()
        .put("model", "auto/frontier")
        .set("messages", JSON.createArrayNode().add(
            JSON.createObjectNode().put("role", "user").put("content", prompt)))
        .toString();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(40))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .header("x-tiergate-mode", "debug")
            .header("x-tiergate-feature", FEATURE)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
