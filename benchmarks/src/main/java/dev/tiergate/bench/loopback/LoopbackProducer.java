package dev.tiergate.bench.loopback;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Usage;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;

/**
 * Stands in for the whole bus behind the ingress: each published request is Avro-encoded and
 * decoded (as the broker round trip would make it), answered at once with a fixed completion, and
 * the response, also Avro round-tripped, is handed to the reply consumer. What remains is the
 * ingress's own cost: HTTP, auth, JSON, normalization, correlation, reply rendering.
 */
public final class LoopbackProducer extends MockProducer<String, ChatRequest> {

  private final LoopbackConsumer<ChatResponse> replies;
  private final Serde<ChatRequest> requestSerde;
  private final Serde<ChatResponse> responseSerde;

  LoopbackProducer(final LoopbackConsumer<ChatResponse> replies, final SerdeFactory serdes) {
    this.replies = Objects.requireNonNull(replies, "replies");
    this.requestSerde = serdes.avro(ChatRequest.class);
    this.responseSerde = serdes.avro(ChatResponse.class);
  }

  @Override
  public synchronized Future<RecordMetadata> send(
      final ProducerRecord<String, ChatRequest> record, final Callback callback) {
    final String topic = record.topic();
    final ChatRequest request = requestSerde.deserializer()
        .deserialize(topic, requestSerde.serializer().serialize(topic, record.value()));
    final RecordMetadata metadata = new RecordMetadata(new TopicPartition(topic, 0), 0, 0, 0, 0, 0);
    if (callback != null) {
      callback.onCompletion(metadata, null);
    }
    final ChatResponse response = responseSerde.deserializer()
        .deserialize("responses", responseSerde.serializer().serialize("responses", answer(request)));
    replies.offer(response.getCorrelationId(), response);
    return CompletableFuture.completedFuture(metadata);
  }

  private static ChatResponse answer(final ChatRequest request) {
    return ChatResponse.newBuilder()
        .setCorrelationId(request.getCorrelationId())
        .setSessionId(request.getSessionId())
        .setTenant(request.getTenant())
        .setContent("Renamed `total` to `sum` in utils.py.")
        .setFinishReason("stop")
        .setModel("openai/gpt-5-mini")
        .setProvider("openai")
        .setTier(request.getTier())
        .setMode(request.getMode())
        .setRuleKey("balanced/code")
        .setUsage(Usage.newBuilder().setInputTokens(42).setOutputTokens(9).build())
        .setCreatedAt(Instant.now())
        .build();
  }
}
