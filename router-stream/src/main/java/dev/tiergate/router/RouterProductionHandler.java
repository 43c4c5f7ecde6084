package dev.tiergate.router;

import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router does with a record it cannot produce (too large for the topic, not serializable):
 * the request it came from goes to {@code tiergate.requests.dlq} with the reason and source position
 * in the headers, the caller gets an error {@link ChatResponse} on {@code tiergate.responses} for its
 * correlation id (413 for a record too large, else 500), and the partition moves on. Without this,
 * Streams' default handler fails the thread, the replacement reads the same request again, and every
 * later request on that partition waits for its 504.
 *
 * <p>Both records go through Streams' own producer (Kafka's dead-letter support in {@link
 * Response#resume(List)}), so they are sent with the rest of the task's output. A record that fails
 * on its way to a dead-letter topic, or an error reply that fails, is only logged: no loop.
 */
public final class RouterProductionHandler implements ProductionExceptionHandler {

  /** Streams property whose value is the {@link SerdeFactory} the replies are written with. */
  public static final String SERDES_CONFIG = "tiergate.router.production.serdes";

  static final String TOO_LARGE_TYPE = "request_too_large";
  static final String UNPRODUCIBLE_TYPE = "unproducible";

  private static final Logger LOG = LoggerFactory.getLogger(RouterProductionHandler.class);

  private Deserializer<ChatRequest> requests;
  private Serializer<ChatRequest> requestSerializer;
  private Deserializer<RoutedRequest> routed;
  private Serializer<ChatResponse> responses;

  public RouterProductionHandler() {}

  /** A handler writing with the given serdes (tests; Streams uses {@link #configure}). */
  RouterProductionHandler(final SerdeFactory serdes) {
    use(Objects.requireNonNull(serdes, "serdes"));
  }

  @Override
  public void configure(final Map<String, ?> configs) {
    if (configs.get(SERDES_CONFIG) instanceof SerdeFactory serdes) {
      use(serdes);
    }
  }

  private void use(final SerdeFactory serdes) {
    requests = Topics.REQUESTS.valueSerde(serdes).deserializer();
    requestSerializer = Topics.REQUESTS.valueSerde(serdes).serializer();
    routed = Topics.ROUTED.valueSerde(serdes).deserializer();
    responses = Topics.RESPONSES.valueSerde(serdes).serializer();
  }

  @Override
  public Response handleError(
      final ErrorHandlerContext context,
      final ProducerRecord<byte[], byte[]> record,
      final Exception exception) {
    return answer(context, record, exception);
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Response handleSerializationError(
      final ErrorHandlerContext context,
      final ProducerRecord record,
      final Exception exception,
      final SerializationExceptionOrigin origin) {
    return answer(context, new ProducerRecord<byte[], byte[]>(record.topic(), null, null, null,
        record.headers()), exception);
  }

  private Response answer(
      final ErrorHandlerContext context,
      final ProducerRecord<byte[], byte[]> record,
      final Exception exception) {
    final String source =
        DeadLetterHeaders.source(context.topic(), context.partition(), context.offset());
    final String reason = "could not produce to " + record.topic() + ": " + exception;
    if (record.topic().endsWith(".dlq") || responses == null) {
      LOG.error("dropping a record for {} from {}: {}", record.topic(), source, reason);
      return Response.resume();
    }
    LOG.warn("dead-lettering the request at {}: {}", source, reason);
    final List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    final byte[] input = Topics.REQUESTS.name().equals(context.topic())
        ? context.sourceRawValue() : null;
    final ChatRequest request = request(input, record);
    // Streams frees the input bytes once the task wrote a changelog for it (the session store):
    // then the request is taken from the routed record and written again.
    final byte[] letter = input != null || request == null
        ? input : requestSerializer.serialize(Topics.REQUESTS.name(), request);
    if (letter != null) {
      final Headers headers = new RecordHeaders(
          (input != null ? context.headers() : record.headers()).toArray());
      DeadLetterHeaders.mark(headers, reason, source);
      if (request != null && TiergateHeaders.get(headers, TiergateHeaders.CORRELATION_ID).isEmpty()) {
        TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, request.getCorrelationId());
      }
      final byte[] key = request == null
          ? context.sourceRawKey() : request.getSessionId().getBytes(StandardCharsets.UTF_8);
      out.add(new ProducerRecord<>(Topics.REQUESTS_DLQ.name(), null, key, letter, headers));
    }
    if (request != null && !Topics.RESPONSES.name().equals(record.topic())) {
      out.add(errorReply(request, exception));
    }
    return Response.resume(out);
  }

  /** The request behind the failed record: the input bytes, else the routed record's request. */
  private ChatRequest request(final byte[] input, final ProducerRecord<byte[], byte[]> record) {
    try {
      if (input != null) {
        return requests.deserialize(Topics.REQUESTS.name(), input);
      }
      if (record.value() != null && record.topic().startsWith(Topics.ROUTED.name())) {
        return routed.deserialize(record.topic(), record.value()).getRequest();
      }
    } catch (RuntimeException e) {
      LOG.error("cannot tell whom to answer for a record for {}", record.topic(), e);
    }
    return null;
  }

  private ProducerRecord<byte[], byte[]> errorReply(
      final ChatRequest request, final Exception exception) {
    final boolean tooLarge = exception instanceof RecordTooLargeException;
    final ErrorInfo error = ErrorInfo.newBuilder()
        .setType(tooLarge ? TOO_LARGE_TYPE : UNPRODUCIBLE_TYPE)
        .setHttpStatus(tooLarge ? 413 : 500)
        .setMessage(tooLarge
            ? "The request is too large to route; send a smaller request."
            : "The request could not be routed.")
        .build();
    final ChatResponse response = ChatResponse.newBuilder()
        .setCorrelationId(request.getCorrelationId())
        .setSessionId(request.getSessionId())
        .setTenant(request.getTenant())
        .setFinishReason("error")
        .setTier(request.getTier())
        .setError(error)
        .setBatchId(request.getBatchId())
        .setBatchItemId(request.getBatchItemId())
        .setCreatedAt(Instant.now())
        .build();
    final Headers headers = new RecordHeaders();
    TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, request.getCorrelationId());
    return new ProducerRecord<>(Topics.RESPONSES.name(), null,
        request.getCorrelationId().getBytes(StandardCharsets.UTF_8),
        responses.serialize(Topics.RESPONSES.name(), response), headers);
  }
}
