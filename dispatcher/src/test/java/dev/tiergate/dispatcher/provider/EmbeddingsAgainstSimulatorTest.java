package dev.tiergate.dispatcher.provider;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Embeddings calls over real HTTP against the simulator: OpenAI's {@code /embeddings} (and the
 * OpenAI-compatible dialect), Gemini's {@code :batchEmbedContents}, and a format without embeddings.
 */
class EmbeddingsAgainstSimulatorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ProviderSimulator simulator;
  private static ProviderClient client;
  private static Providers providers;

  @BeforeAll
  static void start() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    client = new ProviderClient(
        new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(20), 8));
    providers = new Providers(
        List.of(
            endpoint("anthropic", "/anthropic/v1", ProviderFormat.ANTHROPIC),
            endpoint("google", "/google/v1beta", ProviderFormat.GEMINI),
            endpoint("groq", "/groq/openai/v1", ProviderFormat.OPENAI_COMPATIBLE),
            endpoint("openai", "/v1", ProviderFormat.OPENAI)),
        new ObjectMapper());
  }

  @AfterAll
  static void stop() {
    client.close();
    simulator.close();
  }

  @Test
  void openAiEmbeddingsCarryEveryInputTheDimensionsAndThePromptTokens() {
    final ProviderReply reply =
        client.complete(target("openai/text-embedding-sim"), embed(12, "hello world", "goodbye"), Map.of())
            .block(WAIT);

    assertThat(reply.embeddings()).hasSize(2).allSatisfy(vector -> assertThat(vector).hasSize(12));
    assertThat(reply.embeddings().get(0)).isNotEqualTo(reply.embeddings().get(1));
    assertThat(reply.content()).isNull();
    // The simulator counts four characters a token: 3 + 2.
    assertThat(reply.usage()).hasValueSatisfying(usage -> {
      assertThat(usage.getInputTokens()).isEqualTo(5);
      assertThat(usage.getOutputTokens()).isZero();
      assertThat(usage.getEstimated()).isFalse();
    });
    final JsonNode sent = simulator.lastRequest("text-embedding-sim").orElseThrow();
    assertThat(sent.path("input").toString()).isEqualTo("[\"hello world\",\"goodbye\"]");
    assertThat(sent.path("dimensions").asInt()).isEqualTo(12);
    assertThat(sent.path("encoding_format").asText()).isEqualTo("float");
  }

  @Test
  void openAiCompatibleServersGetTheSameEmbeddingsCall() {
    final ProviderReply reply =
        client.complete(target("groq/embed-sim"), embed(null, "one"), Map.of()).block(WAIT);

    assertThat(reply.embeddings()).singleElement().satisfies(vector -> assertThat(vector).hasSize(1536));
    assertThat(simulator.lastRequest("embed-sim").orElseThrow().has("dimensions")).isFalse();
  }

  @Test
  void geminiBatchEmbedsEveryInputInOrderWithOutputDimensionality() {
    final ProviderReply reply =
        client.complete(target("google/text-embedding-004"), embed(6, "alpha", "beta", "gamma"), Map.of())
            .block(WAIT);

    assertThat(reply.embeddings()).hasSize(3).allSatisfy(vector -> assertThat(vector).hasSize(6));
    final ProviderReply alone =
        client.complete(target("google/text-embedding-004"), embed(6, "beta"), Map.of()).block(WAIT);
    assertThat(reply.embeddings().get(1)).isEqualTo(alone.embeddings().get(0));
    // Gemini reports no token counts for embeddings: the dispatcher estimates them.
    assertThat(reply.usage()).isEmpty();
    final JsonNode sent = simulator.lastRequest("text-embedding-004").orElseThrow();
    assertThat(sent.path("requests").path(0).path("model").asText()).isEqualTo("models/text-embedding-004");
    assertThat(sent.path("requests").path(0).path("outputDimensionality").asInt()).isEqualTo(6);
  }

  @Test
  void aFormatWithoutEmbeddingsRefusesBeforeAnyCall() {
    final long before = simulator.totalCalls();

    assertThatThrownBy(() -> client.complete(target("anthropic/claude-sim"), embed(null, "x"), Map.of()).block(WAIT))
        .isInstanceOfSatisfying(
            ProviderFailure.class,
            failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.INVALID_REQUEST));
    assertThat(simulator.totalCalls()).isEqualTo(before);
  }

  @Test
  void anAnswerWithTooFewVectorsIsInvalid() {
    final ProviderAdapter adapter = target("openai/text-embedding-sim").adapter();
    final ProviderReply reply = adapter.parseEmbeddingsResponse(
        ("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,0.5]}],"
            + "\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8));

    assertThat(reply.embeddings()).containsExactly(List.of(0.5f, 0.5f));
    assertThatThrownBy(() -> EmbeddingInputs.checked(reply, 2))
        .isInstanceOfSatisfying(
            ProviderFailure.class,
            failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.INVALID_RESPONSE));
  }

  private static ChatRequest embed(final Integer dimensions, final String... inputs) {
    return chat("req_embed")
        .setApiKind(ApiKind.EMBEDDINGS)
        .setMode("embeddings")
        .setMessages(Arrays.stream(inputs).map(input -> message("user", text(input))).toList())
        .setEmbeddingDimensions(dimensions)
        .build();
  }

  private static ProviderTarget target(final String model) {
    return providers.resolve(model).orElseThrow();
  }

  private static ProviderEndpoint endpoint(final String name, final String path, final ProviderFormat format) {
    return new ProviderEndpoint(name, URI.create(simulator.baseUrl() + path), Optional.of("sk-sim"), format);
  }
}
