package dev.tiergate.accounting;

import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the accounting and batch-progress apps do with an output record they cannot produce: the
 * input record behind it goes to its topic's dead-letter topic (usage to {@code
 * tiergate.usage.dlq}, responses to {@code tiergate.responses.dlq}) with the reason and source in
 * the headers, and the partition moves on instead of failing the thread on the same record again.
 * Their outputs (aggregates, budget states, batch progress) have no caller waiting, so there is no
 * error reply. An input from an internal topic (a repartition) has no dead-letter topic: it is
 * logged and skipped. Under exactly-once a broker-side rejection aborts the transaction and the
 * task retries (Kafka's producer rule); the outputs here are small and bounded (caller strings are
 * at most 128 characters), far below {@code max.request.size}.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
  private static final Map<String, Topic<byte[]>> DEAD_LETTERS = Map.of(
      Topics.USAGE.name(), Topics.USAGE_DLQ,
      Topics.RESPONSES.name(), Topics.RESPONSES_DLQ);

  @Override
  public void configure(final Map<String, ?> configs) {}

  @Override
  public Response handleError(
      final ErrorHandlerContext context,
      final ProducerRecord<byte[], byte[]> record,
      final Exception exception) {
    return deadLetter(context, record.topic(), exception);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      final ErrorHandlerContext context,
      final ProducerRecord record,
      final Exception exception,
      final SerializationExceptionOrigin origin) {
    return deadLetter(context, record.topic(), exception);
  }

  static Response deadLetter(
      final ErrorHandlerContext context, final String target, final Exception exception) {
    final String source =
        DeadLetterHeaders.source(context.topic(), context.partition(), context.offset());
    final String reason = "could not produce to " + target + ": " + exception;
    final Optional<Topic<byte[]>> dlq = Optional.ofNullable(DEAD_LETTERS.get(context.topic()));
    if (target.endsWith(".dlq") || dlq.isEmpty() || context.sourceRawValue() == null) {
      LOG.error("skipping the record at {}: {}", source, reason);
      return Response.resume();
    }
    LOG.warn("dead-lettering the record at {} to {}: {}", source, dlq.get().name(), reason);
    final Headers headers = new RecordHeaders(context.headers().toArray());
    DeadLetterHeaders.mark(headers, reason, source);
    return Response.resume(List.of(new ProducerRecord<>(dlq.get().name(), null,
        context.sourceRawKey(), context.sourceRawValue(), headers)));
  }
}
