package dev.tiergate.launcher.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.Topics;
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
 * OpenAI-format clients served by Anthropic- and Gemini-format providers through the whole stack:
 * the dispatcher translates both ways, sends each provider its own credential header, and the
 * answer, its usage and its stream come back in OpenAI's shape. The two models are added to the
 * catalogue and to a routing rule as data, the way an operator would.
 */
class ProviderFormatsEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() throws Exception {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
    publishModels(
        model("anthropic/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5", "claude", 3_000_000L, 15_000_000L),
        model("google/gemini-2.5-flash", "google", "gemini-2.5-flash", "gemini", 300_000L, 2_500_000L));
    // An explicit model must serve a tier the key may use: a rule puts both in the balanced tier.
    publishRoute(new Route("balanced", "providers", List.of(
        "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"), Map.of(), "provider formats"));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void anOpenAiClientIsServedByAnAnthropicModel() {
    final HttpResponse<String> response = awaitServed("anthropic/claude-sonnet-4-5", "Summarise the design doc", false);

    final JsonNode reply = read(response.body());
    assertThat(response.headers().firstValue("x-tiergate-model")).contains("anthropic/claude-sonnet-4-5");
    assertThat(reply.at("/choices/0/message/content").asText()).contains("Summarise the design doc");
    assertThat(reply.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(reply.at("/usage/prompt_tokens").asLong()).isPositive();
    final Map<String, String> sent = stack.simulator().lastHeaders("claude-sonnet-4-5");
    assertThat(sent).containsEntry("x-api-key", TiergateStack.SIMULATED_PROVIDER_KEY)
        .containsKey("anthropic-version")
        .doesNotContainKey("authorization");
    assertThat(stack.simulator().lastRequest("claude-sonnet-4-5").orElseThrow().path("max_tokens").asInt())
        .isPositive();
  }

  @Test
  void aStreamingOpenAiClientIsServedByAGeminiModel() {
    final HttpResponse<String> response = awaitServed("google/gemini-2.5-flash", "Stream me a haiku", true);

    final List<String> data =
        response.body().lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    assertThat(data).last().isEqualTo("[DONE]");
    final StringBuilder text = new StringBuilder();
    data.stream().filter(line -> !line.equals("[DONE]")).map(ProviderFormatsEndToEndTest::read)
        .forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asText("")));
    assertThat(text.toString()).contains("Stream me a haiku");
    assertThat(stack.simulator().lastHeaders("gemini-2.5-flash"))
        .containsEntry("x-goog-api-key", TiergateStack.SIMULATED_PROVIDER_KEY);
  }

  /**
   * Waits (with plain calls) until the new catalogue entry reached the ingress and the router, then
   * sends the request under test once.
   */
  private static HttpResponse<String> awaitServed(final String model, final String prompt, final boolean stream) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> post(model, "warm-up", false).statusCode() == 200);
    try {
      final HttpResponse<String> response = post(model, prompt, stream);
      assertThat(response.statusCode()).isEqualTo(200);
      return response;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> post(final String model, final String prompt, final boolean stream)
      throws java.io.IOException, InterruptedException {
    final String body =
        "{\"model\":\"" + model + "\",\"stream\":" + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ModelSpec model(
      final String id, final String provider, final String upstream, final String family,
      final long inputMicros, final long outputMicros) {
    return ModelSpec.newBuilder()
        .setId(id)
        .setProvider(provider)
        .setUpstreamModel(upstream)
        .setFamily(family)
        .setInputMicrosPerMillion(inputMicros)
        .setOutputMicrosPerMillion(outputMicros)
        .setContextWindow(200_000)
        .setCapabilities(List.of("tools", "images", "reasoning", "streaming"))
        .build();
  }

  private static void publishModels(final ModelSpec... models) throws Exception {
    final var settings = stack.kafkaSettings();
    try (KafkaProducer<String, ModelSpec> producer =
        new KafkaProducer<>(
            settings.clientProperties(Map.of()),
            Topics.MODELS.keySerde().serializer(),
            Topics.MODELS.valueSerde(settings.serdes()).serializer())) {
      for (final ModelSpec model : models) {
        producer.send(new ProducerRecord<>(Topics.MODELS.name(), model.getId(), model)).get();
      }
    }
  }

  private static void publishRoute(final Route route) throws Exception {
    final var settings = stack.kafkaSettings();
    try (KafkaProducer<String, Route> producer =
        new KafkaProducer<>(
            settings.clientProperties(Map.of()),
            Topics.ROUTES.keySerde().serializer(),
            Topics.ROUTES.valueSerde(settings.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(Topics.ROUTES.name(),
          route.getTier() + "/" + route.getMode(), route)).get();
    }
  }

  private static JsonNode read(final String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
