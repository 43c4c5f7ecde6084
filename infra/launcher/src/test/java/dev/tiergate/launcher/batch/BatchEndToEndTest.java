package dev.tiergate.launcher.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.accounting.CostCalculator;
import dev.tiergate.accounting.ModelPrice;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Batches on the real pipeline: embedded broker and registry, router, dispatcher, simulator, the
 * accounting and batch-progress streams, driven through the {@code tiergate batch} commands.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration LONG = Duration.ofMinutes(3);
  private static final String WAIT_SECONDS = "240";

  @TempDir static Path dataDir;
  @TempDir Path work;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60)));
    // One interactive request first registers the pipeline's schemas one service after another;
    // the registry's embedded database can time out when many services register at once.
    await().atMost(LONG).untilAsserted(() -> assertThat(warmUp()).isEqualTo(200));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void runsAThousandLineFileToTheEndWithResultsMatchedByCustomIdAndSpendOnTheBatch()
      throws Exception {
    final Map<Integer, String> malformed = Map.of(
        7, "{not json at all",
        150, "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[]}}",
        333, "{\"custom_id\":\"x-url\",\"url\":\"/v1/embeddings\",\"body\":{}}",
        500, "{\"custom_id\":\"x-tier\",\"tier\":\"gold\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
        777, "{\"custom_id\":\"x-body\",\"body\":{\"model\":\"auto\"}}");
    final Path file = work.resolve("nightly.jsonl");
    final Set<String> expectedIds = writeFile(file, 1_000, malformed);
    assertThat(expectedIds).hasSize(995);

    final Run submit = cli("submit", file.toString(), "--wait", "--tenant", "demo",
        "--mode", "background", "--tier", "small", "--feature", "nightly-reviews",
        "--timeout-seconds", WAIT_SECONDS);

    assertThat(submit.exitCode()).as(submit.err()).isZero();
    final String batchId = submit.out().strip();
    assertThat(batchId).startsWith("batch_");
    malformed.keySet().forEach(line -> assertThat(submit.err()).contains("line " + line + " skipped"));
    assertThat(submit.err()).contains("995 items parsed, 5 malformed lines skipped", "finished");

    final JsonNode status = JSON.readTree(cli("status", batchId, "--json").out());
    assertThat(status.get("status").asText()).isEqualTo("finished");
    assertThat(status.get("total").asLong()).isEqualTo(995);
    assertThat(status.get("done").asLong()).isEqualTo(995);
    assertThat(status.get("failed").asLong()).isZero();
    assertThat(status.get("skipped_lines").asLong()).isEqualTo(5);

    final Map<String, JsonNode> results = results(batchId);
    assertThat(results.keySet()).isEqualTo(expectedIds);
    results.forEach((customId, line) -> {
      assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
      assertThat(line.at("/error").isNull()).isTrue();
      assertThat(line.at("/response/body/choices/0/message/content").asText())
          .contains("Review change " + customId + ".");
      assertThat(line.at("/response/body/model").asText()).isEqualTo("openai/gpt-5-nano");
    });

    final BatchClient client = client();
    final long expectedCost = costOf(client.answers(batchId).values());
    final BatchProgress progress = client.progress(batchId).orElseThrow();
    assertThat(expectedCost).isPositive();
    assertThat(progress.getCostMicros()).isEqualTo(expectedCost);
    assertThat(progress.getTenant()).isEqualTo("demo");
    // The accounting stream prices the same calls from usage events on its own path.
    await().atMost(LONG).untilAsserted(() -> {
      final JsonNode row = spendRow("demo", "feature", "nightly-reviews");
      assertThat(row).isNotNull();
      assertThat(row.get("requests").asLong()).isEqualTo(995);
      assertThat(row.get("costMicros").asLong()).isEqualTo(expectedCost);
    });

    assertResubmittingTheSameFileRunsNothing(file, batchId);
  }

  /** Continues the first test: its file is resubmitted, then a marker batch shows nothing else ran. */
  private void assertResubmittingTheSameFileRunsNothing(final Path file, final String batchId)
      throws Exception {
    final long callsBefore = stack.simulator().totalCalls();

    final Run again = cli("submit", file.toString(), "--tenant", "demo", "--mode", "background",
        "--tier", "small", "--feature", "nightly-reviews");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out().strip()).isEqualTo(batchId);
    assertThat(again.err()).contains("already submitted");

    // A batch produced after the resubmission, straight as events, finishing proves that anything
    // the resubmission had produced would have been dispatched by now.
    final Run marker = cli("example", "--items", "3", "--tenant", "acme", "--wait",
        "--timeout-seconds", WAIT_SECONDS);
    assertThat(marker.exitCode()).as(marker.err()).isZero();
    assertThat(results(marker.out().strip())).hasSize(3);
    assertThat(stack.simulator().totalCalls()).isEqualTo(callsBefore + 3);
    assertThat(client().progress(batchId).orElseThrow().getDone()).isEqualTo(995);
  }

  @Test
  @Order(2)
  void resumesAnInterruptedSubmissionWithoutLosingOrRepeatingItems() throws Exception {
    final Path file = work.resolve("interrupted.jsonl");
    final Set<String> ids = writeFile(file, 20, Map.of());
    final BatchInput input =
        BatchInput.parse(Files.readAllBytes(file), null, BatchDefaults.of("resume"),
            new BatchLineParser(JSON, Clock.systemUTC()));
    // What a submitter that crashed after 8 items leaves behind: an incomplete manifest, 8 items.
    produceInterrupted(input, 8);
    await().atMost(LONG).until(() -> client().progress(input.batchId())
        .map(progress -> progress.getDone() == 8).orElse(false));
    final long callsBefore = stack.simulator().totalCalls();

    final Run resumed = cli("submit", file.toString(), "--tenant", "resume", "--wait",
        "--timeout-seconds", WAIT_SECONDS);

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.out().strip()).isEqualTo(input.batchId());
    assertThat(resumed.err()).contains("resuming");
    final BatchProgress progress = client().progress(input.batchId()).orElseThrow();
    assertThat(progress.getTotal()).isEqualTo(20);
    assertThat(progress.getDone()).isEqualTo(20);
    assertThat(stack.simulator().totalCalls()).isEqualTo(callsBefore + 12);
    assertThat(results(input.batchId()).keySet()).isEqualTo(ids);
    assertThat(client().manifest(input.batchId()).orElseThrow().getItemsComplete()).isTrue();
  }

  @Test
  @Order(3)
  void forceRunsTheSameFileAgainUnderANewId() throws Exception {
    final Path file = work.resolve("twice.jsonl");
    writeFile(file, 4, Map.of());
    final Run first = cli("submit", file.toString(), "--tenant", "force", "--wait",
        "--timeout-seconds", WAIT_SECONDS);
    assertThat(first.exitCode()).as(first.err()).isZero();
    final long callsBefore = stack.simulator().totalCalls();

    final Run forced = cli("submit", file.toString(), "--tenant", "force", "--force", "--wait",
        "--timeout-seconds", WAIT_SECONDS);

    assertThat(forced.exitCode()).as(forced.err()).isZero();
    assertThat(forced.out().strip()).isNotEqualTo(first.out().strip()).startsWith(first.out().strip());
    assertThat(stack.simulator().totalCalls()).isEqualTo(callsBefore + 4);
    assertThat(cli("status", "batch_unknown").exitCode()).isEqualTo(BatchStatusCommand.EXIT_UNKNOWN);
  }

  // ---- helpers

  record Run(int exitCode, String out, String err) {}

  private static Run cli(final String... args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final KafkaSettings kafka = stack.kafkaSettings();
    final List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--bootstrap-servers=" + kafka.bootstrapServers());
    all.add(2, "--registry-url=" + kafka.schemaRegistryUrl());
    final int code = new CommandLine(new BatchCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private static int warmUp() throws IOException, InterruptedException {
    return chat("hi").statusCode();
  }

  private static HttpResponse<String> chat(final String prompt)
      throws IOException, InterruptedException {
    final String body = JSON.createObjectNode()
        .put("model", "auto/small")
        .set("messages", JSON.createArrayNode().add(
            JSON.createObjectNode().put("role", "user").put("content", prompt)))
        .toString();
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(40))
                .header("Authorization", "Bearer tg-demo-key")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static BatchClient client() {
    return new BatchClient(stack.kafkaSettings(), stack.kafkaSettings().serdes());
  }

  private static Map<String, JsonNode> results(final String batchId) throws IOException {
    final Run run = cli("results", batchId);
    assertThat(run.exitCode()).as(run.err()).isZero();
    final Map<String, JsonNode> byCustomId = new HashMap<>();
    for (final String line : run.out().split("\n")) {
      if (!line.isBlank()) {
        final JsonNode node = JSON.readTree(line);
        assertThat(byCustomId.put(node.get("custom_id").asText(), node))
            .as("one line per custom_id").isNull();
      }
    }
    return byCustomId;
  }

  /** Writes {@code lines} lines, the malformed ones at their line numbers; returns the good ids. */
  private static Set<String> writeFile(
      final Path file, final int lines, final Map<Integer, String> malformed) throws IOException {
    final Set<String> ids = new HashSet<>();
    final List<String> text = IntStream.rangeClosed(1, lines)
        .mapToObj(n -> {
          if (malformed.containsKey(n)) {
            return malformed.get(n);
          }
          final String id = "change-" + n;
          ids.add(id);
          return BatchInputTest.line(id, "Review change " + id + ".");
        })
        .toList();
    Files.write(file, text, StandardCharsets.UTF_8);
    return ids;
  }

  private static void produceInterrupted(final BatchInput input, final int items) throws Exception {
    final KafkaSettings kafka = stack.kafkaSettings();
    final BatchManifest manifest = BatchManifest.newBuilder()
        .setBatchId(input.batchId())
        .setTenant("resume")
        .setTotal(input.items().size())
        .setTier(Tier.BALANCED.id())
        .setItemsComplete(false)
        .setSubmittedAt(Instant.now())
        .build();
    try (KafkaProducer<String, BatchManifest> manifests = new KafkaProducer<>(
            kafka.clientProperties(Map.of()), new StringSerializer(),
            Topics.BATCH_MANIFESTS.valueSerde(kafka.serdes()).serializer());
        KafkaProducer<String, ChatRequest> requests = new KafkaProducer<>(
            kafka.clientProperties(Map.of()), new StringSerializer(),
            Topics.REQUESTS.valueSerde(kafka.serdes()).serializer())) {
      manifests.send(new ProducerRecord<>(Topics.BATCH_MANIFESTS.name(), input.batchId(), manifest))
          .get();
      for (final ChatRequest item : input.items().subList(0, items)) {
        requests.send(new ProducerRecord<>(Topics.REQUESTS.name(), item.getSessionId(), item)).get();
      }
    }
  }

  /** What the answers cost at catalogue prices, computed here from their usage. */
  private static long costOf(final Iterable<ChatResponse> answers) {
    final Map<String, ModelSpec> models = new HashMap<>();
    new TopicReader(stack.kafkaSettings(), stack.kafkaSettings().serdes())
        .readToEnd(Topics.MODELS, models::put);
    long total = 0;
    for (final ChatResponse answer : answers) {
      final ModelPrice price = ModelPrice.of(models.get(answer.getModel())).orElseThrow();
      total += CostCalculator.costMicros(answer.getUsage(), price);
    }
    return total;
  }

  private static JsonNode spendRow(final String tenant, final String by, final String value)
      throws IOException, InterruptedException {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(
                stack.accountingUrl() + "/v1/spend?tenant=" + tenant + "&by=" + by))
            .header("Authorization", "Bearer tg-demo-key")
            .GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return null;
    }
    for (final JsonNode row : JSON.readTree(response.body()).get("rows")) {
      if (value.equals(row.get("value").asText())) {
        return row;
      }
    }
    return null;
  }
}
