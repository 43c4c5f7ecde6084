package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
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
import org.junit.jupiter.api.Test;

/**
 * The Anthropic Messages endpoint, the models list, managed keys and the request limits, over real
 * HTTP with mock Kafka clients: every rejected request leaves the producer's history empty.
 */
class MessagesAndKeysHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String DEMO_KEY = "tg-demo-key";
  private static final String ACME_KEY = "tg-acme-small-only";
  private static final String REVOKED_KEY = "tg-revoked";
  private static final String MESSAGE =
      "{\"model\":\"auto\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

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
    final Map<String, VirtualKey> keys =
        Map.of(
            VirtualKeys.hash(ACME_KEY), key(ACME_KEY, false),
            VirtualKeys.hash(REVOKED_KEY), key(REVOKED_KEY, true));
    final Map<String, ModelSpec> models =
        Map.of("openai/gpt-5", model("openai/gpt-5"), "openai/gpt-5-mini", model("openai/gpt-5-mini"));
    service =
        Fixtures.service(
            config, producer, responses, chunks,
            LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), keys),
            LiveTable.fixed(Topics.MODELS.name(), models));
    service.start();
  }

  private static VirtualKey key(final String key, final boolean revoked) {
    return VirtualKey.newBuilder()
        .setKeyHash(VirtualKeys.hash(key))
        .setKeyPrefix(key.substring(0, 6))
        .setTenant("acme")
        .setDefaultTier("small")
        .setAllowedTiers(List.of("small", "free"))
        .setRevoked(revoked)
        .setCreatedAt(Fixtures.NOW)
        .build();
  }

  private static ModelSpec model(final String id) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider("openai").setUpstreamModel(id.substring(7)).setFamily("gpt-5")
        .setInputMicrosPerMillion(1_250_000L).setOutputMicrosPerMillion(10_000_000L)
        .setCachedInputMicrosPerMillion(125_000L).setContextWindow(400_000)
        .setCapabilities(List.of("tools", "streaming"))
        .build();
  }

  private HttpRequest.Builder request(final String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(WAIT);
  }

  private HttpRequest.Builder post(final String path, final String body, final String key) {
    final HttpRequest.Builder request =
        request(path)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    return key == null ? request : request.header("x-api-key", key);
  }

  private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(final HttpResponse<String> response) throws Exception {
    return MAPPER.readTree(response.body());
  }

  @Test
  void answersAMessagesRequestInAnthropicsShapeWithRoutingHeaders() throws Exception {
    start(Fixtures.config());

    final CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(post("/v1/messages", MESSAGE, DEMO_KEY).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    final ChatRequest published = producer.history().get(0).value();
    responses.feed(published.getCorrelationId(), Fixtures.response(published.getCorrelationId()));
    final HttpResponse<String> response = pending.get();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(published.getApiKind().name()).isEqualTo("ANTHROPIC_MESSAGES");
    final JsonNode body = json(response);
    assertThat(body.path("type").asText()).isEqualTo("message");
    assertThat(body.path("role").asText()).isEqualTo("assistant");
    assertThat(body.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(body.at("/content/0/text").asText()).isEqualTo("Hello there");
    assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(body.at("/usage/input_tokens").asLong()).isEqualTo(20);
    assertThat(body.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(100);
    assertThat(response.headers().firstValue("x-tiergate-model")).contains(Fixtures.SERVED_MODEL);
    assertThat(response.headers().firstValue("x-tiergate-tier")).contains("balanced");
    assertThat(response.headers().firstValue("x-tiergate-rule")).contains("balanced/code");
  }

  @Test
  void rejectsMissingWrongAndRevokedKeysWith401InAnthropicsErrorShape() throws Exception {
    start(Fixtures.config());

    for (final String key : new String[] {null, "tg-wrong", REVOKED_KEY}) {
      final HttpResponse<String> response = send(post("/v1/messages", MESSAGE, key));
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(json(response).path("type").asText()).isEqualTo("error");
      assertThat(json(response).at("/error/type").asText()).isEqualTo("authentication_error");
    }
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void managedKeyGets403ForATierItMayNotUseAndPublishesNothing() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> messages =
        send(post("/v1/messages", MESSAGE.replace("\"auto\"", "\"auto/frontier\""), ACME_KEY));
    final HttpResponse<String> chat =
        send(
            post("/v1/chat/completions",
                "{\"model\":\"auto/balanced\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                ACME_KEY));

    assertThat(messages.statusCode()).isEqualTo(403);
    assertThat(json(messages).at("/error/type").asText()).isEqualTo("permission_error");
    assertThat(chat.statusCode()).isEqualTo(403);
    assertThat(json(chat).at("/error/code").asText()).isEqualTo("tier_not_allowed");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void managedKeyPublishesUnderItsTenantAndDefaultTier() throws Exception {
    start(Fixtures.config());

    client.sendAsync(post("/v1/messages", MESSAGE, ACME_KEY).build(), HttpResponse.BodyHandlers.ofString());

    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    assertThat(producer.history().get(0).value().getTenant()).isEqualTo("acme");
    assertThat(producer.history().get(0).value().getTier()).isEqualTo("small");
  }

  @Test
  void rejectsAnExplicitModelMissingFromTheCatalogueWith404() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        send(post("/v1/messages", MESSAGE.replace("\"auto\"", "\"openai/gpt-9\""), DEMO_KEY));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).at("/error/type").asText()).isEqualTo("not_found_error");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void rejectsAnOversizeBodyWith413OnBothApis() throws Exception {
    start(Fixtures.config().withMaxRequestBytes(2_048));
    final String big = MESSAGE.replace("\"hi\"", "\"" + "x".repeat(4_096) + "\"");

    final HttpResponse<String> messages = send(post("/v1/messages", big, DEMO_KEY));
    final HttpResponse<String> chat = send(post("/v1/chat/completions", big, DEMO_KEY));

    assertThat(messages.statusCode()).isEqualTo(413);
    assertThat(json(messages).at("/error/type").asText()).isEqualTo("request_too_large");
    assertThat(chat.statusCode()).isEqualTo(413);
    assertThat(json(chat).at("/error/code").asText()).isEqualTo("request_too_large");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void refusesNewWorkWith503AtOnceWhenThePendingLimitIsReached() throws Exception {
    start(Fixtures.config().withMaxPending(1));
    client.sendAsync(post("/v1/messages", MESSAGE, DEMO_KEY).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> service.pendingCount() == 1);

    final HttpResponse<String> refused = send(post("/v1/messages", MESSAGE, DEMO_KEY));

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(json(refused).at("/error/type").asText()).isEqualTo("overloaded_error");
    assertThat(producer.history()).hasSize(1);
  }

  @Test
  void listsTheTiersTheKeyMayUseAndTheCatalogueWithPrices() throws Exception {
    start(Fixtures.config());

    final JsonNode demo = json(send(request("/v1/models").header("authorization", "Bearer " + DEMO_KEY)));
    final JsonNode acme = json(send(request("/v1/models").header("authorization", "Bearer " + ACME_KEY)));
    final JsonNode anthropic =
        json(send(request("/v1/models").header("x-api-key", DEMO_KEY).header("anthropic-version", "2023-06-01")));
    final HttpResponse<String> anonymous = send(request("/v1/models"));

    assertThat(demo.path("object").asText()).isEqualTo("list");
    assertThat(ids(demo))
        .containsExactly(
            "auto", "auto/frontier", "auto/balanced", "auto/free", "auto/small", "openai/gpt-5",
            "openai/gpt-5-mini");
    assertThat(demo.at("/data/5/pricing/output_micros_per_million").asLong()).isEqualTo(10_000_000L);
    assertThat(demo.at("/data/5/owned_by").asText()).isEqualTo("openai");
    assertThat(ids(acme)).contains("auto/small", "auto/free").doesNotContain("auto/frontier", "auto/balanced");
    assertThat(anthropic.at("/data/0/type").asText()).isEqualTo("model");
    assertThat(anthropic.path("has_more").asBoolean(true)).isFalse();
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  private static List<String> ids(final JsonNode list) {
    final List<String> ids = new java.util.ArrayList<>();
    list.path("data").forEach(model -> ids.add(model.path("id").asText()));
    return ids;
  }
}
