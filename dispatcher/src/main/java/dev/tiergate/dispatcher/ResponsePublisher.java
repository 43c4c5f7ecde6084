package dev.tiergate.dispatcher;

import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Everything the dispatcher writes to Kafka, through one byte-level producer with the serdes passed
 * in. Each send returns a future that completes when the broker acknowledged it, which is what the
 * worker waits for before committing. Every record carries the correlation-id header.
 */
public final class ResponsePublisher {

  private final Producer<String, byte[]> producer;
  private final Serializer<ChatResponse> responses;
  private final Serializer<ChatChunk> chunks;
  private final Serializer<UsageEvent> usage;

  public ResponsePublisher(final Producer<String, byte[]> producer, final SerdeFactory serdes) {
    this.producer = Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(serdes, "serdes");
    this.responses = Topics.RESPONSES.valueSerde(serdes).serializer();
    this.chunks = Topics.RESPONSE_CHUNKS.valueSerde(serdes).serializer();
    this.usage = Topics.USAGE.valueSerde(serdes).serializer();
  }

  public CompletableFuture<Void> response(final ChatResponse response) {
    return send(Topics.RESPONSES, response.getCorrelationId(), responses, response);
  }

  public CompletableFuture<Void> chunk(final ChatChunk chunk) {
    return send(Topics.RESPONSE_CHUNKS, chunk.getCorrelationId(), chunks, chunk);
  }

  public CompletableFuture<Void> usage(final UsageEvent event) {
    return send(Topics.USAGE, event.getCorrelationId(), usage, event);
  }

  /** The original bytes and headers, plus why and where from. */
  public CompletableFuture<Void> deadLetter(
      final ConsumerRecord<String, byte[]> record, final String reason) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(reason, "reason");
    final Headers headers = new RecordHeaders(record.headers().toArray());
    TiergateHeaders.put(headers, TiergateHeaders.DLQ_REASON, reason);
    TiergateHeaders.put(
        headers,
        TiergateHeaders.DLQ_SOURCE,
        record.topic() + "/" + record.partition() + "/" + record.offset());
    return send(
        new ProducerRecord<>(Topics.ROUTED_DLQ.name(), null, record.key(), record.value(), headers));
  }

  private <V> CompletableFuture<Void> send(
      final Topic<V> topic, final String correlationId, final Serializer<V> serializer, final V value) {
    try {
      final Headers headers = new RecordHeaders();
      TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, correlationId);
      final byte[] bytes = serializer.serialize(topic.name(), headers, value);
      return send(new ProducerRecord<>(topic.name(), null, correlationId, bytes, headers));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Void> send(final ProducerRecord<String, byte[]> record) {
    final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              acknowledged.complete(null);
            } else {
              acknowledged.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      acknowledged.completeExceptionally(e);
    }
    return acknowledged;
  }
}
