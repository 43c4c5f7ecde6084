package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routing decision in the reply headers (tier, mode, where the mode came from, rule, model), on
 * every dialect that answers chat requests, for plain replies and for streams (whose decision rides
 * on their first chunk).
 */
class DecisionHeadersHttpTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final MockProducer<String, ChatRequest> producer = Fixtures.producer();
  private final PacedMockConsumer<ChatResponse> responses = Fixtures.responseConsumer();
  private final PacedMockConsumer<ChatChunk> chunks = Fixtures.chunkConsumer();
  private IngressService service;

  @BeforeEach
  void start() {
    service = new IngressService(Fixtures.config(), producer, responses, chunks);
    service.start();
  }

  @AfterEach
  void stop() {
    service.close();
  }

  /** The path of each dialect's chat endpoint. */
  private static String path(final String dialect) {
    return switch (dialect) {
      case "anthropic" -> "/v1/messages";
      case "openrouter" -> "/api/openrouter/v1/chat/completions";
      default -> "/v1/chat/completions";
    };
  }

  private static String body(final boolean stream) {
    return "{\"model\":\"auto\",\"max_tokens\":64,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private CompletableFuture<HttpResponse<String>> chat(final String dialect, final boolean stream) {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path(dialect)))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body(stream)))
            .build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private String publishedCorrelationId() {
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    return producer.history().get(0).value().getCorrelationId();
  }

  private static HttpHeaders headersOf(final CompletableFuture<HttpResponse<String>> pending)
      throws Exception {
    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers();
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic", "openrouter"})
  void aGivenModeIsSentBackAsGiven(final String dialect) throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = chat(dialect, false);
    final String id = publishedCorrelationId();

    responses.feed(id, Fixtures.response(id));

    final HttpHeaders headers = headersOf(pending);
    assertThat(headers.firstValue("x-tiergate-mode")).contains("code");
    assertThat(headers.firstValue("x-tiergate-mode-source")).contains("given");
    assertThat(headers.firstValue("x-tiergate-tier")).contains("balanced");
    assertThat(headers.firstValue("x-tiergate-rule")).contains("balanced/code");
    assertThat(headers.firstValue("x-tiergate-model")).contains(Fixtures.SERVED_MODEL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic", "openrouter"})
  void aTierChosenByThePredictorIsSentBackAsPredicted(final String dialect) throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = chat(dialect, false);
    final String id = publishedCorrelationId();

    responses.feed(id, predicted(Fixtures.response(id)));

    final HttpHeaders headers = headersOf(pending);
    assertThat(headers.firstValue("x-tiergate-mode")).contains("none");
    assertThat(headers.firstValue("x-tiergate-mode-source")).contains("predicted");
    assertThat(headers.firstValue("x-tiergate-tier")).contains("frontier");
    assertThat(headers.firstValue("x-tiergate-rule")).contains("frontier/*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic", "openrouter"})
  void aStreamTakesItsDecisionFromTheFirstChunkNotTheRequestedTier(final String dialect)
      throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = chat(dialect, true);
    final String id = publishedCorrelationId();

    chunks.feed(
        id,
        ChatChunk.newBuilder(Fixtures.chunk(id, 0, "Hel"))
            .setTier("frontier").setMode("none").setRuleKey("frontier/*").setModePredicted(true)
            .build());
    chunks.feed(id, Fixtures.lastChunk(id, 1));

    final HttpHeaders headers = headersOf(pending);
    // The key's default tier (asked for with "auto") is balanced; the predictor chose frontier.
    assertThat(headers.firstValue("x-tiergate-tier")).contains("frontier");
    assertThat(headers.firstValue("x-tiergate-mode")).contains("none");
    assertThat(headers.firstValue("x-tiergate-mode-source")).contains("predicted");
    assertThat(headers.firstValue("x-tiergate-rule")).contains("frontier/*");
    assertThat(headers.firstValue("x-tiergate-model")).contains(Fixtures.SERVED_MODEL);
    assertThat(headers.firstValue("x-tiergate-request-id")).contains(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void aStreamWhoseFirstChunkCarriesNoDecisionFallsBackToTheRequestedTier(final String dialect)
      throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = chat(dialect, true);
    final String id = publishedCorrelationId();

    chunks.feed(id, Fixtures.chunk(id, 0, "Hel"));
    chunks.feed(id, Fixtures.lastChunk(id, 1));

    final HttpHeaders headers = headersOf(pending);
    assertThat(headers.firstValue("x-tiergate-tier")).contains("balanced");
    assertThat(headers.firstValue("x-tiergate-mode")).isEmpty();
    assertThat(headers.firstValue("x-tiergate-mode-source")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "code"})
  void modeSourceSaysNoneWithoutAModeOrAPrediction(final String mode) {
    assertThat(HttpReplies.modeSource(mode, false)).isEqualTo("none".equals(mode) ? "none" : "given");
    assertThat(HttpReplies.modeSource(mode, true)).isEqualTo("none".equals(mode) ? "predicted" : "inferred");
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic", "openrouter"})
  void aModeTheRouterInferredIsSentBackAsInferred(final String dialect) throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = chat(dialect, false);
    final String id = publishedCorrelationId();

    responses.feed(id, ChatResponse.newBuilder(Fixtures.response(id))
        .setTier("small").setMode("title").setRuleKey("small/title").setModePredicted(true)
        .build());

    final HttpHeaders headers = headersOf(pending);
    assertThat(headers.firstValue("x-tiergate-mode")).contains("title");
    assertThat(headers.firstValue("x-tiergate-mode-source")).contains("inferred");
    assertThat(headers.firstValue("x-tiergate-tier")).contains("small");
  }

  private static ChatResponse predicted(final ChatResponse response) {
    return ChatResponse.newBuilder(response)
        .setTier("frontier").setMode("none").setRuleKey("frontier/*").setModePredicted(true)
        .build();
  }
}
