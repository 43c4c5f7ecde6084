package dev.tiergate.stack.simulator;

import static dev.tiergate.stack.simulator.SimulatorHttp.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator's embeddings in OpenAI's and Gemini's formats, over real HTTP. */
class SimulatedEmbeddingsTest {

  private static ProviderSimulator simulator;
  private static SimulatorHttp http;

  @BeforeAll
  static void startSimulator() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    http = new SimulatorHttp(simulator.baseUrl());
  }

  @AfterAll
  static void stopSimulator() {
    simulator.close();
  }

  @Test
  void answersOpenAiEmbeddingsWithUnitVectorsOfTheAskedDimensions() {
    final HttpResponse<String> response = http.post("/openai/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello world\",\"goodbye\"],\"dimensions\":8}",
        Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = parse(response.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(body.path("data")).hasSize(2);
    final JsonNode first = body.path("data").path(0);
    assertThat(first.path("object").asText()).isEqualTo("embedding");
    assertThat(first.path("index").asInt()).isZero();
    assertThat(first.path("embedding")).hasSize(8);
    double norm = 0;
    for (final JsonNode value : first.path("embedding")) {
      norm += value.asDouble() * value.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, within(1e-5));
    assertThat(body.path("data").path(1).path("index").asInt()).isEqualTo(1);
    // "hello world" is 11 characters (3 tokens at four a token), "goodbye" 7 (2 tokens).
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(5);
    assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void sameTextEmbedsEquallyAndDifferentTextsDiffer() {
    final float[] once = SimulatedEmbeddings.vector("same text", 16);
    assertThat(SimulatedEmbeddings.vector("same text", 16)).containsExactly(once);
    assertThat(SimulatedEmbeddings.vector("other text", 16)).isNotEqualTo(once);
  }

  @Test
  void base64IsLittleEndianFloat32OfTheSameVector() {
    final HttpResponse<String> response = http.post("/openai/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\",\"dimensions\":4,"
            + "\"encoding_format\":\"base64\"}",
        Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    final byte[] bytes =
        Base64.getDecoder().decode(parse(response.body()).path("data").path(0).path("embedding").asText());
    final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    final float[] decoded = new float[bytes.length / Float.BYTES];
    for (int i = 0; i < decoded.length; i++) {
      decoded[i] = buffer.getFloat();
    }
    assertThat(decoded).containsExactly(SimulatedEmbeddings.vector("hello", 4));
  }

  @Test
  void answersGeminiBatchEmbedContentsInOrderWithOutputDimensionality() {
    final HttpResponse<String> response = http.post(
        "/google/v1beta/models/text-embedding-004:batchEmbedContents",
        "{\"requests\":[{\"model\":\"models/text-embedding-004\",\"content\":{\"parts\":[{\"text\":\"a\"}]},"
            + "\"outputDimensionality\":5},{\"model\":\"models/text-embedding-004\","
            + "\"content\":{\"parts\":[{\"text\":\"b\"}]},\"outputDimensionality\":5}]}",
        Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode embeddings = parse(response.body()).path("embeddings");
    assertThat(embeddings).hasSize(2);
    assertThat(embeddings.path(1).path("values")).hasSize(5);
    assertThat((float) embeddings.path(1).path("values").path(0).asDouble())
        .isEqualTo(SimulatedEmbeddings.vector("b", 5)[0]);
    assertThat(simulator.calls("text-embedding-004")).isEqualTo(1);
  }

  @Test
  void answersGeminiEmbedContentWithTheModelsDefaultLength() {
    final HttpResponse<String> response = http.post(
        "/google/v1beta/models/text-embedding-004:embedContent",
        "{\"content\":{\"parts\":[{\"text\":\"one\"}]}}", Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(parse(response.body()).path("embedding").path("values"))
        .hasSize(SimulatedEmbeddings.GEMINI_DEFAULT_DIMENSIONS);
  }

  @Test
  void refusesEmptyInputWith400InTheProvidersErrorShape() {
    final HttpResponse<String> openAi = http.post("/openai/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":[]}", Map.of());
    final HttpResponse<String> gemini = http.post(
        "/google/v1beta/models/text-embedding-004:batchEmbedContents", "{\"requests\":[]}", Map.of());

    assertThat(openAi.statusCode()).isEqualTo(400);
    assertThat(parse(openAi.body()).path("error").path("param").asText()).isEqualTo("input");
    assertThat(gemini.statusCode()).isEqualTo(400);
    assertThat(parse(gemini.body()).path("error").path("status").asText()).isEqualTo("INVALID_ARGUMENT");
  }
}
