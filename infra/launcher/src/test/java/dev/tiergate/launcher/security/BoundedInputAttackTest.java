package dev.tiergate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, points 4 and 6, tried from outside on the embedded stack: caller strings are bounded
 * and refused before anything is published, the bus carries what the ingress accepts, and a record
 * that cannot be produced neither stalls its partition nor leaves its caller waiting for a 504.
 */
class BoundedInputAttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String KEY = "Bearer tg-demo-key";
  /** A small bound on distinct spend values, so the test can pass it with a few requests. */
  private static final int MAX_VALUES = 3;

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30))
        .withServiceEnv(Map.of("TIERGATE_SPEND_MAX_VALUES", String.valueOf(MAX_VALUES))));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void modeWithLineBreakIsRefusedWith400BeforeAnythingIsBilled() throws Exception {
    final String session = "sess-crlf-" + UUID.randomUUID();
    final ObjectNode body = chatBody("auto", "hello");
    body.putObject("metadata").put("mode", "plan\r\nx-injected: 1").put("session_id", session);

    final HttpResponse<String> response = post("/v1/chat/completions", Map.of(), body.toString());

    assertThat(response.statusCode()).isEqualTo(400);
    final JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("param").asText()).isEqualTo("mode");
    // Nothing was published for it, so nothing can be served or billed.
    assertThat(keysOf(Topics.REQUESTS.name())).doesNotContain(session);
  }

  @Test
  void overlongFeatureIsRefusedNamingTheField() throws Exception {
    final String feature = "f".repeat(129);

    final HttpResponse<String> openAi = post("/v1/chat/completions",
        Map.of("x-tiergate-feature", feature), chatBody("auto", "hi").toString());
    final HttpResponse<String> anthropic = post("/v1/messages",
        Map.of("x-kilocode-feature", feature, "anthropic-version", "2023-06-01"),
        messagesBody("hi").toString());

    assertThat(openAi.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(openAi.body()).at("/error/param").asText()).isEqualTo("feature");
    assertThat(anthropic.statusCode()).isEqualTo(400);
    final JsonNode anthropicError = JSON.readTree(anthropic.body());
    assertThat(anthropicError.get("type").asText()).isEqualTo("error");
    assertThat(anthropicError.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(anthropicError.at("/error/message").asText()).contains("feature");
  }

  @Test
  void oversizeRequestGets413OrIsCarried() throws Exception {
    // 1.5 MiB of prompt (about 315k tokens, inside the models' context windows): under the 10 MiB
    // body limit, over Kafka's 1 MiB defaults.
    final String prompt = "word ".repeat(3 * 1024 * 1024 / 10);

    final HttpResponse<String> response =
        post("/v1/chat/completions", Map.of(), chatBody("auto", prompt).toString());

    assertThat(response.statusCode()).as(response.body()).isIn(200, 413);
    if (response.statusCode() == 413) {
      assertThat(JSON.readTree(response.body()).at("/error/type").asText())
          .isEqualTo("invalid_request_error");
    } else {
      assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
          .isNotEmpty();
    }
  }

  @Test
  void oversizeModeDoesNotStallThePartition() throws Exception {
    final KafkaSettings kafka = stack.kafkaSettings();
    final int limit = maxMessageBytes(kafka, Topics.ROUTED.name());
    final String session = "sess-stall-" + UUID.randomUUID();
    final String correlationId = "req_oversize_" + UUID.randomUUID();
    // The request fits on tiergate.requests; routed (the request plus a decision that repeats the
    // mode) it does not fit on tiergate.routed. Past the ingress's checks, as a rogue producer would
    // (on main the ingress let a 300 KB mode through itself).
    produce(kafka, oversizeRequest(correlationId, session, limit), limit);

    final HttpResponse<String> later = post("/v1/chat/completions",
        Map.of("x-tiergate-session", session), chatBody("auto", "still there?").toString());

    // A stalled partition answers 504 once the reply timeout (30 s here) has passed.
    assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      final List<ConsumerRecord<byte[], byte[]>> letters =
          readAll(kafka, Topics.REQUESTS_DLQ.name()).stream()
              .filter(r -> correlationId.equals(
                  TiergateHeaders.get(r.headers(), TiergateHeaders.CORRELATION_ID).orElse(null)))
              .toList();
      assertThat(letters).isNotEmpty();
      assertThat(TiergateHeaders.get(letters.get(0).headers(), TiergateHeaders.DLQ_REASON))
          .hasValueSatisfying(reason -> assertThat(reason).contains("RecordTooLarge"));
    });
    // Its caller (had there been one) is told why instead of waiting for a 504.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(errorReply(kafka, correlationId))
            .hasValueSatisfying(error -> assertThat(error.getError().getHttpStatus()).isEqualTo(413)));
  }

  @Test
  void spendBySessionPagesAndCapsDistinctValues() throws Exception {
    for (int i = 0; i < MAX_VALUES + 3; i++) {
      final HttpResponse<String> served = post("/v1/chat/completions",
          Map.of("x-kilocode-taskid", UUID.randomUUID().toString()),
          chatBody("auto", "task " + i).toString());
      assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      final List<JsonNode> rows = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        final JsonNode page = spend("/v1/spend?by=session&limit=2"
            + (cursor == null ? "" : "&cursor=" + cursor));
        pages++;
        assertThat(page.get("rows").size()).isLessThanOrEqualTo(2);
        page.get("rows").forEach(rows::add);
        // Every page carries the total of every row, so the pages reconcile with it.
        assertThat(page.get("totalMicros").asLong()).isPositive();
        cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
      } while (cursor != null && pages < 20);
      assertThat(rows).extracting(row -> row.get("value").asText())
          .doesNotHaveDuplicates()
          .contains("(other)")
          .hasSizeLessThanOrEqualTo(MAX_VALUES + 1);
      final long sum = rows.stream().mapToLong(row -> row.get("costMicros").asLong()).sum();
      assertThat(sum).isEqualTo(spend("/v1/spend?by=session").get("totalMicros").asLong());
      assertThat(pages).isGreaterThan(1);
    });
    final HttpResponse<String> tooMany = get("/v1/spend?by=session&limit=1001");
    assertThat(tooMany.statusCode()).isEqualTo(400);
  }

  private static JsonNode spend(final String pathAndQuery) throws Exception {
    final HttpResponse<String> response = get(pathAndQuery);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> get(final String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.accountingUrl() + pathAndQuery))
            .header("Authorization", KEY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ChatRequest oversizeRequest(
      final String correlationId, final String session, final int limit) {
    final int share = (int) (limit * 0.6);
    return ChatRequest.newBuilder()
        .setCorrelationId(correlationId)
        .setSessionId(session)
        .setTenant("demo")
        .setMode("m".repeat(share))
        .setTier("balanced")
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText("Say hi.").build()))
            .build()))
        .setReceivedAt(Instant.now())
        .build();
  }

  private static void produce(final KafkaSettings kafka, final ChatRequest request, final int limit)
      throws Exception {
    try (KafkaProducer<String, ChatRequest> producer = new KafkaProducer<>(
        kafka.clientProperties(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limit)),
        Topics.REQUESTS.keySerde().serializer(),
        Topics.REQUESTS.valueSerde(kafka.serdes()).serializer())) {
      final ProducerRecord<String, ChatRequest> record =
          new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request);
      TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID,
          request.getCorrelationId());
      producer.send(record).get();
    }
  }

  private static int maxMessageBytes(final KafkaSettings kafka, final String topic)
      throws Exception {
    try (Admin admin = Admin.create(kafka.clientProperties(Map.of()))) {
      final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      final Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      return Integer.parseInt(config.get("max.message.bytes").value());
    }
  }

  private static Optional<ChatResponse> errorReply(
      final KafkaSettings kafka, final String correlationId) {
    final var deserializer = Topics.RESPONSES.valueSerde(kafka.serdes()).deserializer();
    return readAll(kafka, Topics.RESPONSES.name()).stream()
        .filter(r -> correlationId.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .map(r -> deserializer.deserialize(r.topic(), r.headers(), r.value()))
        .filter(response -> response.getError() != null)
        .findFirst();
  }

  private static List<String> keysOf(final String topic) {
    return readAll(stack.kafkaSettings(), topic).stream()
        .map(r -> r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8))
        .collect(Collectors.toList());
  }

  /** The topic from its beginning to its end at the time of the call, as raw bytes. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      final KafkaSettings kafka, final String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        kafka.clientProperties(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static HttpResponse<String> post(
      final String path, final Map<String, String> headers, final String body)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.ingressUrl() + path))
        .timeout(Duration.ofSeconds(70))
        .header("Authorization", KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ObjectNode chatBody(final String model, final String prompt) {
    final ObjectNode body = JSON.createObjectNode().put("model", model);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    return body;
  }

  private static ObjectNode messagesBody(final String prompt) {
    final ObjectNode body = JSON.createObjectNode().put("model", "auto").put("max_tokens", 64);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    return body;
  }
}
