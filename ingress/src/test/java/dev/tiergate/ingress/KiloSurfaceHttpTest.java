package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import dev.tiergate.ingress.http.CallerStrings;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a Kilo client sees of the ingress: the {@code /api/gateway} and {@code /api/openrouter}
 * prefixes with and without {@code /v1}, the sign-in calls, its extra headers and compressed
 * bodies. Real HTTP, mock Kafka clients.
 */
class KiloSurfaceHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";
  private static final String CHAT =
      "{\"model\":\"kilo-auto/balanced\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String MESSAGES =
      "{\"model\":\"kilo-auto/balanced\",\"max_tokens\":64,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

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

  private HttpRequest.Builder request(final String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
        .timeout(WAIT)
        .header("authorization", "Bearer " + KEY);
  }

  private HttpRequest.Builder post(final String path, final byte[] body) {
    return request(path)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends without waiting for the answer (none comes: nothing replies on the mock topics). */
  private ChatRequest publishedBy(final HttpRequest.Builder request) {
    final int before = producer.history().size();
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> producer.history().size() == before + 1);
    return producer.history().get(before).value();
  }

  private static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] zstd(final byte[] plain) throws IOException {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream encoder = new ZstdOutputStream(out)) {
      encoder.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void servesChatAndMessagesUnderEveryKiloPrefixWithAndWithoutV1() {
    for (final String prefix : IngressService.KILO_PREFIXES) {
      assertThat(publishedBy(post(prefix + "/chat/completions", utf8(CHAT))).getApiKind())
          .as(prefix).isEqualTo(ApiKind.OPENAI_CHAT);
      assertThat(publishedBy(post(prefix + "/messages", utf8(MESSAGES))).getApiKind())
          .as(prefix).isEqualTo(ApiKind.ANTHROPIC_MESSAGES);
    }
    assertThat(IngressService.KILO_PREFIXES)
        .containsExactly("/api/openrouter", "/api/openrouter/v1", "/api/gateway", "/api/gateway/v1");
  }

  @Test
  void listsModelsUnderEveryKiloPrefixInOpenRoutersShape() throws Exception {
    for (final String prefix : IngressService.KILO_PREFIXES) {
      final HttpResponse<String> models = send(request(prefix + "/models"));
      assertThat(models.statusCode()).as(prefix).isEqualTo(200);
      final JsonNode first = MAPPER.readTree(models.body()).at("/data/0");
      assertThat(first.path("id").asText()).isEqualTo("kilo-auto/frontier");
      assertThat(first.path("preferredIndex").asInt(-1)).isZero();
    }
  }

  @Test
  void answersTheSignInCalls() throws Exception {
    final JsonNode profile = MAPPER.readTree(send(request("/api/profile")).body());
    assertThat(profile.path("name").asText()).isEqualTo("demo");
    assertThat(profile.path("email").asText()).isEqualTo("demo@tiergate.invalid");
    assertThat(profile.at("/user/email").asText()).isEqualTo("demo@tiergate.invalid");
    assertThat(profile.path("organizations").isArray()).isTrue();
    assertThat(profile.path("organizations")).isEmpty();

    final JsonNode balance = MAPPER.readTree(send(request("/api/profile/balance")).body());
    assertThat(balance.path("balance").decimalValue()).isEqualByComparingTo("1000000");
    assertThat(balance.path("limited").asBoolean(true)).isFalse();
    assertThat(balance.path("isDepleted").asBoolean(true)).isFalse();

    for (final String path : List.of("/api/defaults", "/api/organizations/org-1/defaults")) {
      final JsonNode defaults = MAPPER.readTree(send(request(path)).body());
      assertThat(defaults.path("defaultModel").asText()).isEqualTo("kilo-auto/balanced");
      assertThat(defaults.path("defaultFreeModel").asText()).isEqualTo("kilo-auto/free");
    }
  }

  @Test
  void refusesProfileAndBalanceWithoutAKey() throws Exception {
    for (final String path : List.of("/api/profile", "/api/profile/balance")) {
      final HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
              .timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(MAPPER.readTree(response.body()).at("/error/code").asText())
          .isEqualTo("invalid_api_key");
    }
  }

  @Test
  void recordsKilosSessionRequestMachineAndOrganizationHeaders() {
    final ChatRequest request = publishedBy(post("/api/gateway/v1/chat/completions", utf8(CHAT))
        .header("x-kilo-session", "ses_01JKILO")
        .header("x-kilo-request", "req-7")
        .header("x-kilocode-machineid", "machine-abc")
        .header("x-kilocode-organizationid", "org-42"));

    assertThat(request.getSessionId()).isEqualTo("ses_01JKILO");
    assertThat(request.getClientRequestId()).isEqualTo("req-7");
    assertThat(request.getMachineId()).isEqualTo("machine-abc");
    assertThat(request.getOrganizationId()).isEqualTo("org-42");
  }

  @Test
  void refusesAnUnsafeKiloHeaderWith400NamingIt() throws Exception {
    final HttpResponse<String> response = send(post("/api/gateway/chat/completions", utf8(CHAT))
        .header("x-kilocode-machineid", "m".repeat(CallerStrings.MAX_LENGTH + 1)));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(response.body()).at("/error/param").asText()).isEqualTo("machine_id");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void decodesAZstdBodyLargerThan64KiB() throws Exception {
    final String padding = "x".repeat(100 * 1024);
    final byte[] plain = utf8("{\"model\":\"kilo-auto/balanced\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"" + padding + "\"}]}");
    final ChatRequest request = publishedBy(
        post("/api/gateway/v1/chat/completions", zstd(plain)).header("content-encoding", "zstd"));

    assertThat(request.getMessages().get(0).getParts().get(0).getText()).isEqualTo(padding);
  }

  @Test
  void refusesAZstdBombWith413InTheRoutesOwnErrorFormat() throws Exception {
    final byte[] bomb = zstd(new byte[IngressConfig.DEFAULT_MAX_REQUEST_BYTES + 1]);

    final HttpResponse<String> openAi = send(
        post("/v1/chat/completions", bomb).header("content-encoding", "zstd"));
    final HttpResponse<String> anthropic = send(
        post("/api/openrouter/messages", bomb).header("content-encoding", "zstd"));

    assertThat(openAi.statusCode()).isEqualTo(413);
    assertThat(MAPPER.readTree(openAi.body()).at("/error/code").asText())
        .isEqualTo("request_too_large");
    assertThat(anthropic.statusCode()).isEqualTo(413);
    assertThat(MAPPER.readTree(anthropic.body()).at("/error/type").asText())
        .isEqualTo("request_too_large");
    assertThat(MAPPER.readTree(anthropic.body()).path("type").asText()).isEqualTo("error");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void refusesAnUnknownContentEncodingWith415() throws Exception {
    final HttpResponse<String> response = send(
        post("/api/gateway/chat/completions", utf8(CHAT)).header("content-encoding", "br"));

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(MAPPER.readTree(response.body()).at("/error/code").asText())
        .isEqualTo("unsupported_content_encoding");
    assertThat(producer.history()).isEmpty();
  }
}
