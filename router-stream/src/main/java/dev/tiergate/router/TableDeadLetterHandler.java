package dev.tiergate.router;

import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the router running past an undecodable record of a table it reads (routes, models, budget
 * states: garbage bytes, an unknown schema id, a record of another type): the record is skipped and
 * the table keeps its previous value for the key. For the routes and models tables the original
 * bytes also go to their dead-letter topic, with the reason and source position in the headers.
 *
 * <p>Those tables are GlobalKTables, and Streams' global thread drops the dead-letter records a
 * handler returns, so the letters are sent by the producer passed in under {@link #PRODUCER_CONFIG}
 * (owned and closed by {@link RouterService}); without one the record is only logged and skipped.
 * Requests never reach this handler: the topology reads them as bytes and decodes them itself.
 */
public final class TableDeadLetterHandler implements DeserializationExceptionHandler {

  /** Streams property whose value is the {@code Producer<byte[], byte[]>} that sends the letters. */
  public static final String PRODUCER_CONFIG = "tiergate.router.table.dead.letter.producer";

  private static final Logger LOG = LoggerFactory.getLogger(TableDeadLetterHandler.class);
  private static final Map<String, Topic<byte[]>> DEAD_LETTERS =
      Map.of(
          Topics.ROUTES.name(), Topics.ROUTES_DLQ,
          Topics.MODELS.name(), Topics.MODELS_DLQ);

  private Producer<byte[], byte[]> producer;

  @Override
  @SuppressWarnings("unchecked")
  public void configure(final Map<String, ?> configs) {
    final Object configured = configs.get(PRODUCER_CONFIG);
    if (configured instanceof Producer<?, ?> given) {
      producer = (Producer<byte[], byte[]>) given;
    }
  }

  @Override
  public Response handleError(
      final ErrorHandlerContext context,
      final ConsumerRecord<byte[], byte[]> record,
      final Exception exception) {
    final String source =
        DeadLetterHeaders.source(record.topic(), record.partition(), record.offset());
    final String reason = "undecodable record: " + DeadLetterHeaders.describe(exception);
    final Optional<Topic<byte[]>> dlq = Optional.ofNullable(DEAD_LETTERS.get(record.topic()));
    if (dlq.isEmpty() || producer == null) {
      LOG.warn("skipping {}: {}", source, reason);
      return Response.resume();
    }
    LOG.warn("skipping {} and dead-lettering it to {}: {}", source, dlq.get().name(), reason);
    final Headers headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.mark(headers, reason, source);
    producer.send(
        new ProducerRecord<>(dlq.get().name(), null, record.key(), record.value(), headers),
        (metadata, error) -> {
          if (error != null) {
            LOG.error("could not dead-letter {} to {}", source, dlq.get().name(), error);
          }
        });
    return Response.resume();
  }
}
