package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API against a real server on a free port, with mock Kafka clients behind it. */
class IngressHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";
  private static final String CHAT =
      "{\"model\":\"auto/frontier\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final MockProducer<String, ChatRequest> producer = Fixtures.producer();
  private final PacedMockConsumer<ChatResponse> responses = Fixtures.responseConsumer();
  private final PacedMockConsumer<ChatChunk> chunks = Fixtures.chunkConsumer();
  private IngressService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private void start(final IngressConfig config) {
    service = new IngressService(config, producer, responses, chunks);
    service.start();
  }

  private HttpRequest.Builder post(final String path, final String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(final HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(final HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The correlation id of the one request published so far. */
  private String publishedCorrelationId() {
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    return producer.history().get(0).value().getCorrelationId();
  }

  private static JsonNode json(final HttpResponse<String> response) throws Exception {
    return MAPPER.readTree(response.body());
  }

  @Test
  void answersHealthWith200() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/health")).build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void rejectsMalformedJsonWith400AndPublishesNothing() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        send(post("/v1/chat/completions", "{\"model\": \"auto\", ").header("authorization", "Bearer " + KEY).build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void rejectsMissingMessagesWith400AndPublishesNothing() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        send(post("/v1/chat/completions", "{\"model\":\"auto\"}").header("x-api-key", KEY).build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/param").asText()).isEqualTo("messages");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void rejectsMissingOrUnknownKeyWith401() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> missing = send(post("/v1/chat/completions", CHAT).build());
    final HttpResponse<String> unknown =
        send(post("/v1/chat/completions", CHAT).header("authorization", "Bearer wrong").build());

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).at("/error/type").asText()).isEqualTo("authentication_error");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).doesNotContain("wrong");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void answersUnknownRouteWith404InOpenAiFormat() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        send(post("/v1/nothing-here", "{}").header("authorization", "Bearer " + KEY).build());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).at("/error/type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void rejectsOversizedBodyWith413AndPublishesNothing() throws Exception {
    start(
        new IngressConfig(
            Fixtures.config().kafka(), "127.0.0.1", 0, Duration.ofMinutes(1), 10, 64,
            VirtualKeys.parse(VirtualKeys.DEFAULT_SPEC)));

    final HttpResponse<String> response =
        send(post("/v1/chat/completions", CHAT).header("authorization", "Bearer " + KEY).build());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void publishesNormalizedRequestAndReturnsTheCorrelatedCompletion() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> pending =
        sendAsync(
            post("/v1/chat/completions", CHAT)
                .header("authorization", "Bearer " + KEY)
                .header("x-kilocode-mode", "Code")
                .header("x-tiergate-session", "sess_http")
                .build());
    final String id = publishedCorrelationId();
    final ChatRequest published = producer.history().get(0).value();
    assertThat(producer.history().get(0).key()).isEqualTo("sess_http");
    assertThat(published.getTier()).isEqualTo("frontier");
    assertThat(published.getMode()).isEqualTo("code");
    assertThat(published.getTenant()).isEqualTo("demo");

    responses.feed(id, Fixtures.response(id));

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("id").asText()).isEqualTo(id);
    assertThat(json(response).path("model").asText()).isEqualTo(Fixtures.SERVED_MODEL);
    assertThat(json(response).at("/choices/0/message/content").asText()).isEqualTo("Hello there");
    assertThat(response.headers().firstValue("x-tiergate-model")).contains(Fixtures.SERVED_MODEL);
    assertThat(response.headers().firstValue("x-tiergate-tier")).contains("balanced");
    assertThat(response.headers().firstValue("x-tiergate-rule")).contains("balanced/code");
    assertThat(response.headers().firstValue("x-tiergate-request-id")).contains(id);
    await().atMost(WAIT).until(() -> service.pendingCount() == 0);
  }

  @Test
  void answersAnErrorReplyWithItsStatusInOpenAiFormat() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> pending =
        sendAsync(post("/v1/chat/completions", CHAT).header("authorization", "Bearer " + KEY).build());
    final String id = publishedCorrelationId();

    responses.feed(id, Fixtures.errorResponse(id, "insufficient_quota", 429));

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(json(response).at("/error/type").asText()).isEqualTo("insufficient_quota");
    assertThat(json(response).at("/error/message").asText()).isEqualTo("budget exhausted");
    assertThat(response.headers().firstValue("x-tiergate-request-id")).contains(id);
  }

  @Test
  void answersTimeoutWith504AndForgetsThePendingReply() throws Exception {
    start(Fixtures.config().withReplyTimeout(Duration.ofMillis(300)));

    final HttpResponse<String> response =
        send(post("/v1/chat/completions", CHAT).header("authorization", "Bearer " + KEY).build());

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(json(response).at("/error/code").asText()).isEqualTo("timeout");
    assertThat(producer.history()).hasSize(1);
    await().atMost(WAIT).until(() -> service.pendingCount() == 0);
  }

  @Test
  void relaysStreamingChunksAsServerSentEvents() throws Exception {
    start(Fixtures.config());
    final String body =
        "{\"model\":\"auto\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    final CompletableFuture<HttpResponse<String>> pending =
        sendAsync(post("/v1/chat/completions", body).header("authorization", "Bearer " + KEY).build());
    final String id = publishedCorrelationId();

    chunks.feed(id, Fixtures.chunk(id, 0, "Hel"));
    chunks.feed(id, Fixtures.chunk(id, 1, "lo"));
    chunks.feed(id, Fixtures.lastChunk(id, 2));

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    assertThat(response.body())
        .contains("\"content\":\"Hel\"")
        .contains("\"content\":\"lo\"")
        .contains("\"finish_reason\":\"stop\"")
        .contains("\"total_tokens\":150")
        .endsWith("data: [DONE]\n\n");
    await().atMost(WAIT).until(() -> service.pendingCount() == 0);
  }

  @Test
  void answersAStreamWhoseFirstReplyIsAnErrorWithAPlainErrorStatus() throws Exception {
    start(Fixtures.config());
    final String body =
        "{\"model\":\"auto\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    final CompletableFuture<HttpResponse<String>> pending =
        sendAsync(post("/v1/chat/completions", body).header("authorization", "Bearer " + KEY).build());
    final String id = publishedCorrelationId();

    responses.feed(id, Fixtures.errorResponse(id, "unroutable", 422));

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(json(response).at("/error/code").asText()).isEqualTo("unroutable");
  }

  @Test
  void clientDisconnectRemovesThePendingReply() throws Exception {
    start(Fixtures.config());
    final byte[] body = CHAT.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", service.port())) {
      final OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n"
                  + "Content-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      publishedCorrelationId();
      await().atMost(WAIT).until(() -> service.pendingCount() == 1);
    }

    await().atMost(WAIT).until(() -> service.pendingCount() == 0);
  }

  @Test
  void closingFailsInFlightRequestsWith503() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> pending =
        sendAsync(post("/v1/chat/completions", CHAT).header("authorization", "Bearer " + KEY).build());
    publishedCorrelationId();

    service.close();

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(producer.closed()).isTrue();
    assertThat(responses.closed()).isTrue();
  }
}
