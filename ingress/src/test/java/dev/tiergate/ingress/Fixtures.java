package dev.tiergate.ingress;

import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Shared test values. */
public final class Fixtures {

  public static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  public static final String SERVED_MODEL = "openai/gpt-5-mini";

  private Fixtures() {}

  /** Serializes every value like the real producer would, so a malformed record fails the send. */
  public static MockProducer<String, ChatRequest> producer() {
    return producer(true);
  }

  /** A request producer; {@code autoComplete} false leaves each send for the test to complete or fail. */
  public static MockProducer<String, ChatRequest> producer(final boolean autoComplete) {
    return new MockProducer<>(
        autoComplete,
        null,
        new StringSerializer(),
        Topics.REQUESTS.valueSerde(SerdeFactory.schemaless()).serializer());
  }

  public static PacedMockConsumer<ChatResponse> responseConsumer() {
    return new PacedMockConsumer<>(Topics.RESPONSES.name(), Topics.RESPONSES.partitions());
  }

  public static PacedMockConsumer<ChatChunk> chunkConsumer() {
    return new PacedMockConsumer<>(
        Topics.RESPONSE_CHUNKS.name(), Topics.RESPONSE_CHUNKS.partitions());
  }

  /** A service over these clients and tables, with no routing table. */
  public static IngressService service(
      final IngressConfig config, final Producer<String, ChatRequest> producer,
      final Consumer<String, ChatResponse> responses, final Consumer<String, ChatChunk> chunks,
      final LiveTable<VirtualKey> keys, final LiveTable<ModelSpec> models) {
    return service(config, producer, responses, chunks, keys, models,
        LiveTable.fixed(Topics.ROUTES.name(), Map.of()));
  }

  /**
   * A service over these clients and tables; undecodable replies go to an in-memory dead-letter
   * producer.
   */
  public static IngressService service(
      final IngressConfig config, final Producer<String, ChatRequest> producer,
      final Consumer<String, ChatResponse> responses, final Consumer<String, ChatChunk> chunks,
      final LiveTable<VirtualKey> keys, final LiveTable<ModelSpec> models,
      final LiveTable<Route> routes) {
    return new IngressService(config, producer, responses, chunks, keys, models, routes,
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  public static IngressConfig config() {
    return IngressConfig.defaults(KafkaSettings.of("localhost:9092", "http://localhost:8081"))
        .withPort(0);
  }

  public static ChatRequest request(final String correlationId) {
    return ChatRequest.newBuilder()
        .setCorrelationId(correlationId)
        .setSessionId("sess_test")
        .setTenant("demo")
        .setTier("balanced")
        .setApiKind(ApiKind.OPENAI_CHAT)
        .setMessages(
            List.of(
                Message.newBuilder()
                    .setRole("user")
                    .setParts(
                        List.of(
                            ContentPart.newBuilder().setType(PartType.TEXT).setText("hi").build()))
                    .build()))
        .setReceivedAt(NOW)
        .build();
  }

  public static ChatResponse response(final String correlationId) {
    return ChatResponse.newBuilder()
        .setCorrelationId(correlationId)
        .setSessionId("sess_test")
        .setTenant("demo")
        .setContent("Hello there")
        .setFinishReason("stop")
        .setModel(SERVED_MODEL)
        .setProvider("openai")
        .setTier("balanced")
        .setMode("code")
        .setRuleKey("balanced/code")
        .setUsage(usage())
        .setCreatedAt(NOW)
        .build();
  }

  public static ChatResponse errorResponse(final String correlationId, final String type, final int status) {
    return ChatResponse.newBuilder()
        .setCorrelationId(correlationId)
        .setError(
            ErrorInfo.newBuilder()
                .setType(type)
                .setMessage("budget exhausted")
                .setHttpStatus(status)
                .build())
        .setFinishReason("error")
        .setCreatedAt(NOW)
        .build();
  }

  public static dev.tiergate.schemas.Usage usage() {
    return dev.tiergate.schemas.Usage.newBuilder()
        .setInputTokens(120)
        .setOutputTokens(30)
        .setCachedInputTokens(100)
        .setReasoningTokens(7)
        .build();
  }

  public static ChatChunk chunk(final String correlationId, final int sequence, final String text) {
    return ChatChunk.newBuilder()
        .setCorrelationId(correlationId)
        .setSequence(sequence)
        .setContentDelta(text)
        .setModel(SERVED_MODEL)
        .build();
  }

  public static ChatChunk lastChunk(final String correlationId, final int sequence) {
    return ChatChunk.newBuilder()
        .setCorrelationId(correlationId)
        .setSequence(sequence)
        .setFinishReason("stop")
        .setModel(SERVED_MODEL)
        .setUsage(usage())
        .setLast(true)
        .build();
  }

  public static Map<String, String> env(final String... pairs) {
    final java.util.Map<String, String> env = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }
}
