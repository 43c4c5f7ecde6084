package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton on real parts: embedded KRaft broker, Apicurio registry, provider simulator
 * over HTTP, and all four services, driven over real HTTP.
 */
class PipelineEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void routesPlanModeToFrontierModelAndRecordsSpendPerMode() throws Exception {
    final HttpResponse<String> response =
        chat(Map.of("x-tiergate-mode", "plan"), body("auto/frontier", "Plan a refactor of billing"));

    assertThat(response.statusCode()).isEqualTo(200);
    // Planning on the frontier tier goes to Anthropic: the simulator answers in Messages format.
    assertThat(response.headers().firstValue("x-tiergate-model"))
        .contains("anthropic/claude-sonnet-4.5");
    assertThat(response.headers().firstValue("x-tiergate-tier")).contains("frontier");
    final JsonNode reply = JSON.readTree(response.body());
    assertThat(reply.at("/model").asText()).isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(reply.at("/choices/0/message/content").asText()).contains("Plan a refactor");
    final long input = reply.at("/usage/prompt_tokens").asLong();
    final long output = reply.at("/usage/completion_tokens").asLong();
    assertThat(input).isPositive();
    // anthropic/claude-sonnet-4.5 in the default catalogue: $3 in, $15 out per million tokens,
    // nothing cached.
    final long expectedMicros = roundHalfUp(input * 3_000_000L + output * 15_000_000L);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              final JsonNode plan = spendRow("demo", "plan");
              assertThat(plan).isNotNull();
              assertThat(plan.get("requests").asLong()).isEqualTo(1);
              assertThat(plan.get("costMicros").asLong()).isEqualTo(expectedMicros);
            });
  }

  @Test
  void kiloModeHeaderRoutesCodeWorkToTheBalancedModel() throws Exception {
    final HttpResponse<String> response =
        chat(Map.of("x-kilocode-mode", "code"), body("auto/frontier", "Rename a variable"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-tiergate-rule")).contains("frontier/code");
    assertThat(response.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5-mini");
  }

  @Test
  void changedRouteServesTheNextRequestWithoutRestart() throws Exception {
    final HttpResponse<String> before =
        chat(Map.of("x-tiergate-mode", "debug"), body("auto/frontier", "Why does this crash?"));
    assertThat(before.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5");

    publishRoute(new Route("frontier", "debug", List.of("openai/gpt-4.1"), Map.of(), "test change"));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              final HttpResponse<String> after =
                  chat(Map.of("x-tiergate-mode", "debug"), body("auto/frontier", "And now?"));
              assertThat(after.statusCode()).isEqualTo(200);
              assertThat(after.headers().firstValue("x-tiergate-model")).contains("openai/gpt-4.1");
            });
  }

  @Test
  void rejectsMalformedJsonWith400InOpenAiErrorFormat() throws Exception {
    final HttpResponse<String> response = chat(Map.of(), "{\"model\": \"auto\", \"messages\": [");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).at("/error/type").asText())
        .isEqualTo("invalid_request_error");
  }

  private static void publishRoute(final Route route) throws Exception {
    final var settings = stack.kafkaSettings();
    try (KafkaProducer<String, Route> producer =
        new KafkaProducer<>(
            settings.clientProperties(Map.of()),
            Topics.ROUTES.keySerde().serializer(),
            Topics.ROUTES.valueSerde(settings.serdes()).serializer())) {
      producer
          .send(new ProducerRecord<>(Topics.ROUTES.name(), route.getTier() + "/" + route.getMode(), route))
          .get();
    }
  }

  private static JsonNode spendRow(final String tenant, final String mode)
      throws IOException, InterruptedException {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(stack.accountingUrl() + "/v1/spend?tenant=" + tenant + "&by=mode"))
                .header("Authorization", "Bearer tg-demo-key")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return null;
    }
    for (final JsonNode row : JSON.readTree(response.body()).get("rows")) {
      if (mode.equals(row.get("value").asText())) {
        return row;
      }
    }
    return null;
  }

  private static HttpResponse<String> chat(final Map<String, String> headers, final String body)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(40))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String body(final String model, final String prompt) {
    return JSON.createObjectNode()
        .put("model", model)
        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", prompt)))
        .toString();
  }

  /** Micro-dollars from (tokens x micro-dollars per million), rounded half up once. */
  private static long roundHalfUp(final long tokenMicrosPerMillion) {
    return (tokenMicrosPerMillion + 500_000L) / 1_000_000L;
  }
}
