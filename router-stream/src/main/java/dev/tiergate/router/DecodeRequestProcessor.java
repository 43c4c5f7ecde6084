package dev.tiergate.router;

import dev.tiergate.router.DecodedRequest.Decoded;
import dev.tiergate.router.DecodedRequest.Undecodable;
import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.runtime.NetworkFailures;
import dev.tiergate.schemas.ChatRequest;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes request bytes inside the topology rather than in Streams' consumer, so a record that does
 * not decode becomes a dead letter (original bytes, reason and source in headers) and the stream
 * keeps going. A failure to reach the schema registry is not the record's fault: it is rethrown, so
 * the thread is replaced and the record retried instead of dead-lettered.
 */
final class DecodeRequestProcessor implements FixedKeyProcessor<String, byte[], DecodedRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(DecodeRequestProcessor.class);

  private final Deserializer<ChatRequest> deserializer;
  private FixedKeyProcessorContext<String, DecodedRequest> context;

  DecodeRequestProcessor(final Deserializer<ChatRequest> deserializer) {
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, DecodedRequest> context) {
    this.context = context;
  }

  @Override
  public void process(final FixedKeyRecord<String, byte[]> record) {
    final String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
    if (record.value() == null) {
      deadLetter(record, "empty record value");
      return;
    }
    try {
      final ChatRequest request = deserializer.deserialize(topic, record.headers(), record.value());
      if (request == null) {
        deadLetter(record, "record decoded to nothing");
      } else {
        context.forward(record.withValue(new Decoded(request)));
      }
    } catch (RuntimeException e) {
      if (NetworkFailures.isNetwork(e)) {
        throw e;
      }
      deadLetter(record, "undecodable ChatRequest: " + DeadLetterHeaders.describe(e));
    }
  }

  @Override
  public void close() {
    deserializer.close();
  }

  private void deadLetter(final FixedKeyRecord<String, byte[]> record, final String reason) {
    final String source = source();
    LOG.warn("dead-lettering request record from {}: {}", source, reason);
    final Headers headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.mark(headers, reason, source);
    context.forward(
        record.withValue(new Undecodable(record.value(), reason)).withHeaders(headers));
  }

  /** {@code topic-partition@offset}, the way Kafka prints a position. */
  private String source() {
    return DeadLetterHeaders.source(context.recordMetadata());
  }
}
