package dev.tiergate.launcher.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What the fault tests share: stack options that honour an external cluster given by {@code
 * KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} (so the suite runs against a real cluster
 * as well as the embedded one), requests built or sent the way clients do, and spend read over HTTP.
 */
final class FaultSuite {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private FaultSuite() {}

  /** The embedded stack, or the external cluster when the environment names one. */
  static TiergateStack.Options options(final Path dataDir) {
    return new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
        .withClusterFromEnv(System.getenv());
  }

  /** A prefixed id unique to this run, so runs against a shared cluster never see each other. */
  static String uniqueId(final String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** A normalized request as the ingress would produce it, part of a batch. */
  static ChatRequest chatRequest(
      final String correlationId, final String sessionId, final String tenant, final String batchId) {
    final Message message =
        Message.newBuilder()
            .setRole("user")
            .setParts(
                List.of(ContentPart.newBuilder().setType(PartType.TEXT).setText("Summarise item " + correlationId).build()))
            .build();
    return ChatRequest.newBuilder()
        .setCorrelationId(correlationId)
        .setSessionId(sessionId)
        .setTenant(tenant)
        .setMode("summary")
        .setTier("small")
        .setApiKind(ApiKind.BATCH)
        .setRequestedModel("auto/small")
        .setMessages(List.of(message))
        .setSampling(SamplingParams.newBuilder().build())
        .setBatchId(batchId)
        .setBatchItemId(correlationId)
        .setReceivedAt(Instant.now())
        .build();
  }

  /** Produces the requests to {@code tiergate.requests} (keyed by session) and waits for every ack. */
  static void produceRequests(final KafkaSettings kafka, final List<ChatRequest> requests)
      throws Exception {
    try (KafkaProducer<String, ChatRequest> producer =
        new KafkaProducer<>(
            kafka.clientProperties(Map.of("acks", "all", "linger.ms", 5)),
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde(kafka.serdes()).serializer())) {
      final List<Future<RecordMetadata>> acks = new ArrayList<>(requests.size());
      for (final ChatRequest request : requests) {
        final ProducerRecord<String, ChatRequest> record =
            new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request);
        TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, request.getCorrelationId());
        acks.add(producer.send(record));
      }
      for (final Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    }
  }

  /** Raw bytes to any topic, as a broken or foreign producer would write them. */
  static void produceBytes(
      final KafkaSettings kafka, final String topic, final String key, final byte[] value)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            kafka.clientProperties(Map.of("acks", "all")),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(topic, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value))
          .get();
    }
  }

  /**
   * Sends requests one at a time until one is answered 200, so every schema on the request path is
   * registered before a test sends many at once: concurrent first registrations of one schema can
   * fail in the registry (H2 unique-key violation), and a dispatcher that cannot publish stops.
   */
  static void warmUp(final String ingressUrl) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> chat(ingressUrl, "summary", "Warm up").statusCode() == 200);
  }

  /** One OpenAI-style chat completion through the ingress with the demo key. */
  static HttpResponse<String> chat(final String ingressUrl, final String mode, final String prompt)
      throws IOException, InterruptedException {
    return HTTP.send(chatRequest(ingressUrl, mode, prompt), HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest chatRequest(final String ingressUrl, final String mode, final String prompt) {
    final String body =
        JSON.createObjectNode()
            .put("model", "auto/small")
            .set(
                "messages",
                JSON.createArrayNode()
                    .add(JSON.createObjectNode().put("role", "user").put("content", prompt)))
            .toString();
    return HttpRequest.newBuilder(URI.create(ingressUrl + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer tg-demo-key")
        .header("Content-Type", "application/json")
        .header("x-tiergate-mode", mode)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /**
   * The tenant's total requests counted by accounting (by mode, total window), or -1 if unavailable;
   * {@code virtualKey} must be one of the tenant's keys (the query API shows a key its own tenant).
   */
  static long accountedRequests(
      final String accountingUrl, final String tenant, final String virtualKey)
      throws IOException, InterruptedException {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(accountingUrl + "/v1/spend?tenant=" + tenant + "&by=mode"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + virtualKey)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return -1;
    }
    long requests = 0;
    for (final JsonNode row : JSON.readTree(response.body()).get("rows")) {
      requests += row.get("requests").asLong();
    }
    return requests;
  }
}
