package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.responses.ResponsesJson;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/responses} over real HTTP with mock Kafka clients: the request on the bus, the answer,
 * and the stored response's GET and DELETE for its tenant only.
 */
class ResponsesHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String DEMO_KEY = "tg-demo-key";
  private static final String RIVAL_KEY = "tg-rival-key";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final MockProducer<String, ChatRequest> producer = Fixtures.producer();
  private final PacedMockConsumer<ChatResponse> responses = Fixtures.responseConsumer();
  private final PacedMockConsumer<ChatChunk> chunks = Fixtures.chunkConsumer();
  private IngressService service;

  @BeforeEach
  void start() {
    final VirtualKey rival = VirtualKey.newBuilder()
        .setKeyHash(VirtualKeys.hash(RIVAL_KEY)).setKeyPrefix("tg-riv").setTenant("rival")
        .setDefaultTier("balanced").setAllowedTiers(List.of()).setCreatedAt(Fixtures.NOW).build();
    service =
        Fixtures.service(
            Fixtures.config(), producer, responses, chunks,
            LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of(VirtualKeys.hash(RIVAL_KEY), rival)),
            LiveTable.fixed(Topics.MODELS.name(), Map.of()));
    service.start();
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private HttpRequest.Builder request(final String path, final String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(WAIT)
        .header("authorization", "Bearer " + key);
  }

  private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Answers one Responses request through the mock pipeline; returns its response object. */
  private JsonNode answered(final String body) throws Exception {
    final int before = producer.history().size();
    final CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(
            request("/v1/responses", DEMO_KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> producer.history().size() == before + 1);
    final ChatRequest published = producer.history().get(before).value();
    responses.feed(published.getCorrelationId(), Fixtures.response(published.getCorrelationId()));
    final HttpResponse<String> response = pending.get();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue(HttpReplies.TIER_HEADER)).contains("balanced");
    return MAPPER.readTree(response.body());
  }

  @Test
  void publishesAResponsesRequestAndAnswersWithAStoredResponseObject() throws Exception {
    final JsonNode answer =
        answered("{\"model\":\"auto/balanced\",\"instructions\":\"Be brief.\",\"input\":\"hi\"}");

    final ChatRequest published = producer.history().get(0).value();
    assertThat(published.getApiKind()).isEqualTo(ApiKind.RESPONSES);
    assertThat(published.getTenant()).isEqualTo("demo");
    assertThat(answer.path("object").asText()).isEqualTo("response");
    assertThat(answer.path("id").asText())
        .isEqualTo(ResponsesJson.responseId(published.getCorrelationId()));
    assertThat(answer.path("instructions").asText()).isEqualTo("Be brief.");
    assertThat(answer.at("/output/0/content/0/text").asText()).isEqualTo("Hello there");
    assertThat(answer.at("/usage/input_tokens").asLong()).isEqualTo(120);

    final HttpResponse<String> stored = send(request("/v1/responses/" + answer.path("id").asText(),
        DEMO_KEY).GET());
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(stored.body())).isEqualTo(answer);
  }

  @Test
  void continuesAConversationFromTheStoredTurn() throws Exception {
    final String first = answered("{\"model\":\"auto\",\"input\":\"first\"}").path("id").asText();
    answered("{\"model\":\"auto\",\"input\":\"second\","
        + "\"previous_response_id\":\"" + first + "\"}");

    final ChatRequest second = producer.history().get(1).value();
    assertThat(second.getMessages())
        .extracting(m -> m.getRole() + ":" + m.getParts().get(0).getText())
        .containsExactly("user:first", "assistant:Hello there", "user:second");
    assertThat(second.getSessionId()).isEqualTo(producer.history().get(0).value().getSessionId());
  }

  @Test
  void anotherTenantGets404ForGetDeleteAndPreviousResponseIdAndNothingIsPublished()
      throws Exception {
    final String id = answered("{\"model\":\"auto\",\"input\":\"mine\"}").path("id").asText();

    final HttpResponse<String> get = send(request("/v1/responses/" + id, RIVAL_KEY).GET());
    final HttpResponse<String> delete = send(request("/v1/responses/" + id, RIVAL_KEY).DELETE());
    final HttpResponse<String> unknown = send(request("/v1/responses/resp_nope", DEMO_KEY).GET());
    final HttpResponse<String> continued = send(request("/v1/responses", RIVAL_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"auto\",\"input\":\"x\",\"previous_response_id\":\"" + id + "\"}")));

    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(MAPPER.readTree(get.body()).at("/error/message").asText())
        .isEqualTo(MAPPER.readTree(unknown.body()).at("/error/message").asText()
            .replace("resp_nope", id));
    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(continued.statusCode()).isEqualTo(404);
    assertThat(MAPPER.readTree(continued.body()).at("/error/param").asText())
        .isEqualTo("previous_response_id");
    assertThat(producer.history()).hasSize(1);
    assertThat(send(request("/v1/responses/" + id, DEMO_KEY).GET()).statusCode()).isEqualTo(200);
  }

  @Test
  void deleteAnswersOpenAisDeletionObjectAndTheResponseIsGone() throws Exception {
    final String id = answered("{\"model\":\"auto\",\"input\":\"x\"}").path("id").asText();

    final HttpResponse<String> deleted = send(request("/v1/responses/" + id, DEMO_KEY).DELETE());

    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(MAPPER.readTree(deleted.body())).isEqualTo(MAPPER.readTree(
        "{\"id\":\"" + id + "\",\"object\":\"response\",\"deleted\":true}"));
    assertThat(send(request("/v1/responses/" + id, DEMO_KEY).GET()).statusCode()).isEqualTo(404);
  }

  @Test
  void storeFalseKeepsNothingAndAMissingKeyIs401() throws Exception {
    final String id =
        answered("{\"model\":\"auto\",\"input\":\"x\",\"store\":false}").path("id").asText();

    assertThat(send(request("/v1/responses/" + id, DEMO_KEY).GET()).statusCode()).isEqualTo(404);
    assertThat(send(request("/v1/responses/" + id, "tg-unknown").GET()).statusCode())
        .isEqualTo(401);
  }
}
