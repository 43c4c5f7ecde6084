package dev.tiergate.dispatcher;

import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.tracing.KafkaTraceHeaders;
import io.opentelemetry.context.Context;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the dispatcher writes to Kafka, through one byte-level producer with the serdes passed
 * in. Each send returns a future that completes when the broker acknowledged it, which is what the
 * worker waits for before committing. Every record carries the correlation-id header, and the
 * request's trace context while it is in flight ({@link #traced}).
 *
 * <p>Made by {@link #staging}, responses and usage are not sent but staged in an {@link Outbox}
 * (the future completes once staged), so the worker writes them in one transaction with the
 * request's offset: a served request is then billed whatever crashes. Stream chunks still go out at
 * once on the (non-transactional) producer: they carry no money, and a reader must see them as they
 * come.
 *
 * <p>Serializing can fail for a moment when the registry is busy (registering a schema the first
 * time, e.g. under a lock timeout); that is retried a few times with backoff on the calling thread
 * (always a worker thread, never an event loop), so sends stay in order and a transient registry
 * hiccup does not stop the dispatcher. Only a failure that persists fails the send.
 */
public final class ResponsePublisher {

  private static final Logger log = LoggerFactory.getLogger(ResponsePublisher.class);
  static final int SERIALIZE_ATTEMPTS = 5;
  private static final long FIRST_BACKOFF_MS = 200;

  private final Producer<String, byte[]> producer;
  private final Serializer<ChatResponse> responses;
  private final Serializer<ChatChunk> chunks;
  private final Serializer<UsageEvent> usage;
  private final Serializer<RoutedRequest> routed;
  private final Outbox outbox;
  /** The trace of each request in flight, written into its records' headers. */
  private final ConcurrentMap<String, Context> traces = new ConcurrentHashMap<>();

  /** Sends everything at once on the producer (no transaction). */
  public ResponsePublisher(final Producer<String, byte[]> producer, final SerdeFactory serdes) {
    this(producer, serdes, null);
  }

  /**
   * Stages responses and usage in the outbox for the worker's transaction; chunks (and dead
   * letters, if asked) go out at once on {@code chunkProducer}, which must not be transactional.
   */
  static ResponsePublisher staging(
      final Producer<String, byte[]> chunkProducer, final SerdeFactory serdes, final Outbox outbox) {
    return new ResponsePublisher(chunkProducer, serdes, Objects.requireNonNull(outbox, "outbox"));
  }

  private ResponsePublisher(
      final Producer<String, byte[]> producer, final SerdeFactory serdes, final Outbox outbox) {
    this.outbox = outbox;
    this.producer = Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(serdes, "serdes");
    this.responses = Topics.RESPONSES.valueSerde(serdes).serializer();
    this.chunks = Topics.RESPONSE_CHUNKS.valueSerde(serdes).serializer();
    this.usage = Topics.USAGE.valueSerde(serdes).serializer();
    this.routed = Topics.ROUTED.valueSerde(serdes).serializer();
  }

  /** Records of {@code correlationId} carry {@code trace} until {@link #untraced}. */
  void traced(final String correlationId, final Context trace) {
    traces.put(correlationId, trace);
  }

  void untraced(final String correlationId) {
    traces.remove(correlationId);
  }

  public CompletableFuture<Void> response(final ChatResponse response) {
    return sendOrStage(Topics.RESPONSES, response.getCorrelationId(), responses, response);
  }

  public CompletableFuture<Void> chunk(final ChatChunk chunk) {
    return send(Topics.RESPONSE_CHUNKS, chunk.getCorrelationId(), chunks, chunk);
  }

  public CompletableFuture<Void> usage(final UsageEvent event) {
    return sendOrStage(Topics.USAGE, event.getCorrelationId(), usage, event);
  }

  /** The original bytes and headers, plus why and where from. */
  public CompletableFuture<Void> deadLetter(
      final ConsumerRecord<String, byte[]> record, final String reason) {
    return send(deadLetterRecord(record, reason));
  }

  /** The dead-letter record for a routed record: its bytes and headers, plus why and where from. */
  static ProducerRecord<String, byte[]> deadLetterRecord(
      final ConsumerRecord<String, byte[]> record, final String reason) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(reason, "reason");
    final Headers headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.mark(
        headers, reason, DeadLetterHeaders.source(record.topic(), record.partition(), record.offset()));
    return new ProducerRecord<>(deadLetterTopic(record.topic()), null, record.key(), record.value(), headers);
  }

  /**
   * A routed request whose outcome the bus could not carry, written again (its record was already
   * consumed), to its routed topic's dead-letter topic with why.
   */
  public CompletableFuture<Void> deadLetter(final RoutedRequest routed, final String reason) {
    Objects.requireNonNull(routed, "routed");
    Objects.requireNonNull(reason, "reason");
    final String source = routed.getRequest().getBatchId() != null
        ? Topics.ROUTED_BATCH.name() : Topics.ROUTED.name();
    final String correlationId = routed.getRequest().getCorrelationId();
    try {
      final Headers headers = new RecordHeaders();
      TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, correlationId);
      DeadLetterHeaders.mark(headers, reason, source);
      final byte[] bytes = serializeWithRetry(Topics.ROUTED, headers, this.routed, routed);
      return send(new ProducerRecord<>(deadLetterTopic(source), null, correlationId, bytes, headers));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Each routed topic has its own dead-letter topic; anything else lands on the routed one's. */
  private static String deadLetterTopic(final String source) {
    return Topics.ROUTED_BATCH.name().equals(source)
        ? Topics.ROUTED_BATCH_DLQ.name()
        : Topics.ROUTED_DLQ.name();
  }

  private <V> CompletableFuture<Void> send(
      final Topic<V> topic, final String correlationId, final Serializer<V> serializer, final V value) {
    try {
      return send(record(topic, correlationId, serializer, value));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Money and final answers: staged for the worker's transaction when there is an outbox. */
  private <V> CompletableFuture<Void> sendOrStage(
      final Topic<V> topic, final String correlationId, final Serializer<V> serializer, final V value) {
    if (outbox == null) {
      return send(topic, correlationId, serializer, value);
    }
    try {
      if (!outbox.stage(correlationId, record(topic, correlationId, serializer, value))) {
        log.info("dropping the {} of {}: this instance no longer serves it", topic.name(), correlationId);
      }
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <V> ProducerRecord<String, byte[]> record(
      final Topic<V> topic, final String correlationId, final Serializer<V> serializer, final V value) {
    final Headers headers = new RecordHeaders();
    TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, correlationId);
    final Context trace = traces.get(correlationId);
    if (trace != null) {
      KafkaTraceHeaders.inject(trace, headers);
    }
    final byte[] bytes = serializeWithRetry(topic, headers, serializer, value);
    return new ProducerRecord<>(topic.name(), null, correlationId, bytes, headers);
  }

  private <V> byte[] serializeWithRetry(
      final Topic<V> topic, final Headers headers, final Serializer<V> serializer, final V value) {
    for (int attempt = 1; ; attempt++) {
      try {
        return serializer.serialize(topic.name(), headers, value);
      } catch (RuntimeException e) {
        if (attempt >= SERIALIZE_ATTEMPTS) {
          throw e;
        }
        log.warn("serializing for {} failed (attempt {} of {}), retrying: {}",
            topic.name(), attempt, SERIALIZE_ATTEMPTS, e.toString());
        backOff(attempt, e);
      }
    }
  }

  private static void backOff(final int attempt, final RuntimeException cause) {
    try {
      Thread.sleep(Math.min(2_000, FIRST_BACKOFF_MS << (attempt - 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cause.addSuppressed(e);
      throw cause;
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
