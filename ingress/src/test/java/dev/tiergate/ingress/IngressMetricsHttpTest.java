package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ingress's Prometheus metrics, scraped from its metrics port after real HTTP requests against
 * mock Kafka clients: requests by route, dialect and status, streams open, pending replies,
 * timeouts, 503s and produce errors; and no metrics on the public API port.
 */
class IngressMetricsHttpTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";
  private static final String CHAT =
      "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM =
      "{\"model\":\"auto\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final PacedMockConsumer<ChatResponse> responses = Fixtures.responseConsumer();
  private final PacedMockConsumer<ChatChunk> chunks = Fixtures.chunkConsumer();
  private MockProducer<String, ChatRequest> producer = Fixtures.producer();
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

  private CompletableFuture<HttpResponse<String>> post(final String path, final String body) {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(final int port, final String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String scrape() throws Exception {
    final HttpResponse<String> response = get(service.metricsPort(), "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    return response.body();
  }

  private String lastCorrelationId(final int published) {
    await().atMost(WAIT).until(() -> producer.history().size() == published);
    return producer.history().get(published - 1).value().getCorrelationId();
  }

  @Test
  void countsRequestsByRouteDialectAndStatusWithALatencyHistogram() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> answered = post("/v1/chat/completions", CHAT);
    final String id = lastCorrelationId(1);
    responses.feed(id, Fixtures.response(id));
    assertThat(answered.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    final HttpResponse<String> unauthorized =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/v1/messages"))
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unauthorized.statusCode()).isEqualTo(401);

    await().atMost(WAIT).untilAsserted(() -> {
      final String metrics = scrape();
      assertThat(PromText.value(metrics, "tiergate_ingress_http_requests_seconds_count",
              "route", "/v1/chat/completions", "dialect", "openai", "status", "200"))
          .isEqualTo(1.0);
      assertThat(PromText.value(metrics, "tiergate_ingress_http_requests_seconds_count",
              "route", "/v1/messages", "dialect", "anthropic", "status", "401"))
          .isEqualTo(1.0);
      assertThat(PromText.value(metrics, "tiergate_ingress_http_requests_seconds_bucket",
              "route", "/v1/chat/completions", "status", "200", "le", "+Inf"))
          .isEqualTo(1.0);
    });
  }

  @Test
  void servesNoMetricsOnThePublicApiPort() throws Exception {
    start(Fixtures.config());

    assertThat(get(service.port(), "/metrics").statusCode()).isEqualTo(404);
    assertThat(service.metricsPort()).isNotEqualTo(service.port());
    assertThat(get(service.metricsPort(), "/v1/models").statusCode()).isEqualTo(404);
  }

  @Test
  void metricsCanBeTurnedOff() {
    start(Fixtures.config().withMetricsPort(IngressConfig.NO_METRICS_PORT));

    assertThat(service.metricsPort()).isEqualTo(IngressConfig.NO_METRICS_PORT);
  }

  @Test
  void gaugesStreamsOpenAndPendingRepliesWhileAStreamRuns() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> stream = post("/v1/chat/completions", STREAM);
    final String id = lastCorrelationId(1);
    chunks.feed(id, Fixtures.chunk(id, 0, "Hel"));

    await().atMost(WAIT).untilAsserted(() -> {
      final String metrics = scrape();
      assertThat(PromText.value(metrics, "tiergate_ingress_streams_open")).isEqualTo(1.0);
      assertThat(PromText.value(metrics, "tiergate_ingress_pending_replies")).isEqualTo(1.0);
    });

    chunks.feed(id, Fixtures.lastChunk(id, 1));
    assertThat(stream.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(() -> {
      final String metrics = scrape();
      assertThat(PromText.value(metrics, "tiergate_ingress_streams_open")).isZero();
      assertThat(PromText.value(metrics, "tiergate_ingress_pending_replies")).isZero();
    });
  }

  @Test
  void countsTimeoutsAndOverloadRefusals() throws Exception {
    start(Fixtures.config().withReplyTimeout(Duration.ofMillis(500)).withMaxPending(1));
    final CompletableFuture<HttpResponse<String>> first = post("/v1/chat/completions", CHAT);
    lastCorrelationId(1);

    final HttpResponse<String> refused = post("/v1/chat/completions", CHAT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    final HttpResponse<String> timedOut = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(timedOut.statusCode()).isEqualTo(504);
    final String metrics = scrape();
    assertThat(PromText.value(metrics, "tiergate_ingress_reply_timeouts_total")).isEqualTo(1.0);
    assertThat(PromText.value(metrics, "tiergate_ingress_unavailable_total", "reason", "overloaded"))
        .isEqualTo(1.0);
    assertThat(PromText.value(metrics, "tiergate_ingress_http_requests_seconds_count",
            "route", "/v1/chat/completions", "status", "504"))
        .isEqualTo(1.0);
  }

  @Test
  void countsProduceErrorsAsUnavailable() throws Exception {
    producer =
        new MockProducer<>(
            false, null, new StringSerializer(),
            Topics.REQUESTS.valueSerde(SerdeFactory.schemaless()).serializer());
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> pending = post("/v1/chat/completions", CHAT);
    lastCorrelationId(1);

    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));

    assertThat(pending.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    final String metrics = scrape();
    assertThat(PromText.value(metrics, "tiergate_ingress_produce_errors_total")).isEqualTo(1.0);
    assertThat(PromText.value(metrics, "tiergate_ingress_unavailable_total", "reason", "unavailable"))
        .isEqualTo(1.0);
  }
}
