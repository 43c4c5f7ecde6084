package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.Usage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/embeddings} against a real server on a free port, mock Kafka clients behind it. */
class EmbeddingsHttpTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-demo-key";
  private static final String MODEL = "openai/text-embedding-3-small";

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

  @Test
  void publishesEachInputAsOneMessageAndAnswersFloatVectorsInOpenAisShape() throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = sendAsync(
        "{\"model\":\"auto/balanced\",\"input\":[\"first text\",\"second\"],\"dimensions\":3,"
            + "\"user\":\"user-1\"}");
    final ChatRequest published = published();
    assertThat(published.getApiKind()).isEqualTo(ApiKind.EMBEDDINGS);
    assertThat(published.getMode()).isEqualTo("embeddings");
    assertThat(published.getTier()).isEqualTo("balanced");
    assertThat(published.getStream()).isFalse();
    assertThat(published.getEmbeddingDimensions()).isEqualTo(3);
    assertThat(published.getMessages()).extracting(EmbeddingsHttpTest::text)
        .containsExactly("first text", "second");
    assertThat(published.getDeadline()).isNotNull();

    responses.feed(published.getCorrelationId(), answer(published.getCorrelationId()));

    final HttpResponse<String> response = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = MAPPER.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("model").asText()).isEqualTo(MODEL);
    assertThat(body.at("/data/1/object").asText()).isEqualTo("embedding");
    assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(body.at("/data/1/embedding").toString()).isEqualTo("[0.25,-0.5,1.0]");
    assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(7);
    assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(7);
    assertThat(response.headers().firstValue("x-tiergate-model")).contains(MODEL);
    assertThat(response.headers().firstValue("x-tiergate-rule")).contains("balanced/embeddings");
  }

  @Test
  void base64IsTheLittleEndianFloat32BytesOfTheVector() throws Exception {
    final CompletableFuture<HttpResponse<String>> pending = sendAsync(
        "{\"model\":\"auto/balanced\",\"input\":\"one\",\"encoding_format\":\"base64\"}");
    final ChatRequest published = published();
    responses.feed(published.getCorrelationId(), answer(published.getCorrelationId()));

    final JsonNode body = MAPPER.readTree(pending.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    final ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(body.at("/data/1/embedding").asText()))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(3 * Float.BYTES);
    assertThat(List.of(bytes.getFloat(), bytes.getFloat(), bytes.getFloat())).containsExactly(0.25f, -0.5f, 1.0f);
  }

  @Test
  void decodesTokenArrayInputsToText() throws Exception {
    // cl100k_base: 15339 is "hello", 1917 is " world".
    sendAsync("{\"model\":\"auto/balanced\",\"input\":[[15339,1917],[15339]]}");

    assertThat(published().getMessages()).extracting(EmbeddingsHttpTest::text)
        .containsExactly("hello world", "hello");
  }

  @Test
  void refusesBadInputWith400NamingTheFieldAndPublishesNothing() throws Exception {
    final String tooMany = MAPPER.writeValueAsString(Collections.nCopies(2049, "x"));
    assertRefused("{\"model\":\"auto\"}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":[]}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":\"\"}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":[\"a\",\"\"]}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":" + tooMany + "}", "input");
    // 1,281 × 3,072 values (no dimensions: the longest vector) would not fit one 16 MiB record.
    assertRefused("{\"model\":\"auto\",\"input\":"
        + MAPPER.writeValueAsString(Collections.nCopies(1281, "x")) + "}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":[{\"text\":\"a\"}]}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":[-1]}", "input");
    assertRefused("{\"model\":\"auto\",\"input\":\"a\",\"dimensions\":0}", "dimensions");
    assertRefused("{\"model\":\"auto\",\"input\":\"a\",\"dimensions\":3073}", "dimensions");
    assertRefused("{\"model\":\"auto\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format");
    assertRefused("{\"input\":\"a\"}", "model");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void acceptsTheMostInputsWhenTheirVectorsFitOneRecord() throws Exception {
    // 2,048 × 1,536 values is 12 MiB of float32: it fits.
    sendAsync("{\"model\":\"auto\",\"dimensions\":1536,\"input\":"
        + MAPPER.writeValueAsString(Collections.nCopies(2048, "x")) + "}");

    assertThat(published().getMessages()).hasSize(2048);
  }

  @Test
  void refusesAMissingKeyWith401InOpenAisShape() throws Exception {
    final HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(uri()).timeout(WAIT).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"auto\",\"input\":\"a\"}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(MAPPER.readTree(response.body()).at("/error/type").asText()).isEqualTo("authentication_error");
  }

  private void assertRefused(final String body, final String param) throws Exception {
    final HttpResponse<String> response = sendAsync(body).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(body).isEqualTo(400);
    final JsonNode error = MAPPER.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).as(body).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).as(body).isEqualTo(param);
  }

  private ChatRequest published() {
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    return producer.history().get(0).value();
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(final String body) {
    return client.sendAsync(
        HttpRequest.newBuilder(uri()).timeout(WAIT)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + service.port() + "/v1/embeddings");
  }

  private static String text(final Message message) {
    return message.getParts().get(0).getText();
  }

  private static ChatResponse answer(final String id) {
    return ChatResponse.newBuilder(Fixtures.response(id))
        .setContent(null)
        .setModel(MODEL)
        .setMode("embeddings")
        .setRuleKey("balanced/embeddings")
        .setEmbeddings(List.of(List.of(0.5f, 0.5f, 0.0f), List.of(0.25f, -0.5f, 1.0f)))
        .setUsage(Usage.newBuilder().setInputTokens(7).build())
        .build();
  }
}
