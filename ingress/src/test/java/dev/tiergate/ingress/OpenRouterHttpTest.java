package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenRouter-style API under /api/openrouter/, over real HTTP with mock Kafka clients. */
class OpenRouterHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";
  private static final String CHAT = "/api/openrouter/chat/completions";
  private static final String FREE =
      "{\"model\":\"kilo-auto/free\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

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
    final Map<String, ModelSpec> models =
        Map.of(
            "openai/gpt-5-mini", model("openai/gpt-5-mini", List.of("tools", "images", "reasoning")),
            "local/llama", model("local/llama", List.of("streaming")),
            // Embeddings models serve POST /v1/embeddings only: never listed here, nor counted
            // in a tier's capabilities.
            "openai/text-embedding-3-small", model("openai/text-embedding-3-small", List.of("embeddings")));
    final Map<String, Route> routes =
        Map.of(
            "balanced/*", route("balanced", "*", "openai/gpt-5-mini"),
            "balanced/code", route("balanced", "code", "openai/gpt-5-mini"),
            "free/*", route("free", "*", "local/llama"),
            "balanced/embeddings", route("balanced", "embeddings", "openai/text-embedding-3-small"));
    service =
        Fixtures.service(
            config, producer, responses, chunks,
            LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of()),
            LiveTable.fixed(Topics.MODELS.name(), models),
            LiveTable.fixed(Topics.ROUTES.name(), routes));
    service.start();
  }

  private static ModelSpec model(final String id, final List<String> capabilities) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider(id.substring(0, id.indexOf('/'))).setUpstreamModel(id).setFamily("f")
        .setInputMicrosPerMillion(250_000L).setOutputMicrosPerMillion(2_000_000L)
        .setCachedInputMicrosPerMillion(25_000L).setContextWindow(400_000)
        .setCapabilities(capabilities)
        .build();
  }

  private static Route route(final String tier, final String mode, final String model) {
    return new Route(tier, mode, List.of(model), Map.of(), null);
  }

  private HttpRequest.Builder post(final String body, final String key) {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + CHAT))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    return key == null ? request : request.header("authorization", "Bearer " + key);
  }

  private ChatRequest published() {
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    return producer.history().get(0).value();
  }

  @Test
  void listsTiersAndModelsInOpenRoutersShapeWithWhatEachReallySupports() throws Exception {
    start(Fixtures.config());

    final HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/api/openrouter/models"))
                .timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode data = MAPPER.readTree(response.body()).path("data");
    final List<String> ids = new ArrayList<>();
    for (final JsonNode model : data) {
      ids.add(model.path("id").asText());
      assertThat(model.path("name").isTextual()).isTrue();
      assertThat(model.path("description").isTextual()).isTrue();
      assertThat(model.path("context_length").isInt()).isTrue();
      for (final String price : List.of("prompt", "completion", "request", "image")) {
        assertThat(model.at("/pricing/" + price).isTextual()).as(price).isTrue();
      }
      assertThat(model.at("/architecture/input_modalities").isArray()).isTrue();
      assertThat(model.at("/architecture/output_modalities/0").asText()).isEqualTo("text");
      assertThat(model.at("/top_provider/context_length").isInt()).isTrue();
      assertThat(model.at("/top_provider/is_moderated").isBoolean()).isTrue();
      assertThat(model.path("supported_parameters").isArray()).isTrue();
    }
    assertThat(ids)
        .containsExactly(
            "kilo-auto/frontier", "kilo-auto/balanced", "kilo-auto/free", "kilo-auto/small",
            "local/llama", "openai/gpt-5-mini");
    assertThat(parameters(data.get(1))).contains("tools", "tool_choice", "reasoning");
    assertThat(parameters(data.get(2))).doesNotContain("tools");
    assertThat(data.get(1).at("/pricing/prompt").asText()).isEqualTo("0.00000025");
    assertThat(data.get(1).at("/pricing/completion").asText()).isEqualTo("0.000002");
    assertThat(parameters(data.get(5))).contains("tools");
    assertThat(data.get(5).at("/architecture/input_modalities").toString()).contains("image");
    // Kilo's extensions: tiers first by preferredIndex, the free tier free, cache prices.
    assertThat(data.get(1).path("preferredIndex").asInt(-1)).isEqualTo(1);
    assertThat(data.get(2).path("isFree").asBoolean(false)).isTrue();
    assertThat(data.get(1).path("isFree").asBoolean(true)).isFalse();
    assertThat(data.get(5).has("preferredIndex")).isFalse();
    assertThat(data.get(5).path("isFree").asBoolean(true)).isFalse();
    assertThat(data.get(5).at("/pricing/input_cache_read").asText()).isEqualTo("0.000000025");
    assertThat(data.get(5).at("/pricing/input_cache_write").asText()).isEqualTo("0.00000025");
  }

  private static List<String> parameters(final JsonNode model) {
    final List<String> result = new ArrayList<>();
    model.path("supported_parameters").forEach(p -> result.add(p.asText()));
    return result;
  }

  @Test
  void recordsKiloHeadersAndReasoningParametersOnThePublishedRequest() throws Exception {
    start(Fixtures.config());

    client.sendAsync(
        post("{\"model\":\"kilo-auto/balanced\",\"reasoning\":{\"effort\":\"high\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}", KEY)
            .header("x-kilocode-mode", "Code")
            .header("x-kilocode-taskid", "task-child")
            .header("x-kilocode-parent-taskid", "task-parent")
            .header("x-kilocode-feature", "vscode-extension")
            .header("x-kilocode-projectid", "proj-42")
            .header("x-kilocode-editorname", "Visual Studio Code")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    final ChatRequest request = published();
    assertThat(request.getMode()).isEqualTo("code");
    assertThat(request.getTier()).isEqualTo("balanced");
    assertThat(request.getSessionId()).isEqualTo("task-child");
    assertThat(request.getParentSessionId()).isEqualTo("task-parent");
    assertThat(request.getFeature()).isEqualTo("vscode-extension");
    assertThat(request.getProjectId()).isEqualTo("proj-42");
    assertThat(request.getEditorName()).isEqualTo("Visual Studio Code");
    assertThat(request.getSampling().getReasoningEffort()).isEqualTo("high");
  }

  @Test
  void streamsReasoningDetailsAndEndsWithAUsageChunkCarryingTheCost() throws Exception {
    start(Fixtures.config());
    final CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(
            post("{\"model\":\"kilo-auto/balanced\",\"stream\":true,\"usage\":{\"include\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", KEY).build(),
            HttpResponse.BodyHandlers.ofString());
    final String id = published().getCorrelationId();

    chunks.feed(id, ChatChunk.newBuilder(Fixtures.chunk(id, 0, null)).setReasoningDelta("Think").build());
    chunks.feed(id, ChatChunk.newBuilder(Fixtures.chunk(id, 1, null)).setReasoningSignature("sig").build());
    chunks.feed(id, Fixtures.chunk(id, 2, "Done"));
    chunks.feed(id, Fixtures.lastChunk(id, 3));
    final List<String> frames = List.of(pending.get().body().split("\n\n"));

    assertThat(frames.get(frames.size() - 1)).isEqualTo("data: [DONE]");
    final JsonNode first = MAPPER.readTree(frames.get(0).substring(6));
    assertThat(first.at("/choices/0/delta/reasoning").asText()).isEqualTo("Think");
    assertThat(first.at("/choices/0/delta/reasoning_details/0/type").asText()).isEqualTo("reasoning.text");
    final JsonNode signed = MAPPER.readTree(frames.get(1).substring(6));
    assertThat(signed.at("/choices/0/delta/reasoning_details/0/signature").asText()).isEqualTo("sig");
    final JsonNode usage = MAPPER.readTree(frames.get(frames.size() - 2).substring(6)).path("usage");
    // 20 uncached x 0.25 + 100 cached x 0.025 + 30 out x 2.00 dollars per million = 67.5 micro-dollars.
    assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo("0.000068");
    assertThat(usage.path("total_tokens").asLong()).isEqualTo(150);
  }

  @Test
  void refusesKeylessRequestsWhenAnonymousAccessIsOff() throws Exception {
    start(Fixtures.config());

    assertThat(client.send(post(FREE, null).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(client.send(post(FREE, "anonymous").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void servesAnonymousCallersOnlyOnTheFreeAndSmallTiersWhenEnabled() throws Exception {
    start(Fixtures.config().withAnonymousTenant("anonymous-users"));

    final HttpResponse<String> frontier =
        client.send(post(FREE.replace("free", "frontier"), null).build(), HttpResponse.BodyHandlers.ofString());
    client.sendAsync(post(FREE, "anonymous").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(frontier.statusCode()).isEqualTo(403);
    final ChatRequest request = published();
    assertThat(request.getTenant()).isEqualTo("anonymous-users");
    assertThat(request.getTier()).isEqualTo("free");
  }
}
