package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.schemas.TiergateHeaders;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a reply reader sends a record it cannot decode (garbage bytes, an unknown schema id, a
 * value of another type): the original key, value and headers, plus why ({@link
 * TiergateHeaders#DLQ_REASON}) and where from ({@link TiergateHeaders#DLQ_SOURCE}), so the reader
 * skips it and keeps going without losing it. The reply readers commit no offsets (they start at
 * the end), so a dead letter is sent once per ingress instance that read the record, at most once:
 * the send is not awaited before the reader moves on.
 */
public class DeadLetters implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Producer<byte[], byte[]> producer;
  private final IngressMetrics metrics;

  /**
   * @param producer sends to the dead-letter topics; null logs the records instead (services built
   *     without one, as in unit tests); closed by {@link #close}
   */
  public DeadLetters(final Producer<byte[], byte[]> producer, final IngressMetrics metrics) {
    this.producer = producer;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** Sends the undecodable record behind {@code failure} to {@code deadLetterTopic}. */
  void send(final String deadLetterTopic, final RecordDeserializationException failure) {
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(failure, "failure");
    final String source = DeadLetterHeaders.source(
        failure.topicPartition().topic(), failure.topicPartition().partition(), failure.offset());
    final String reason = reason(failure);
    metrics.deadLettered(failure.topicPartition().topic());
    if (producer == null) {
      LOG.warn("undecodable reply at {} skipped (no dead-letter producer): {}", source, reason);
      return;
    }
    LOG.warn("dead-lettering undecodable reply at {} to {}: {}", source, deadLetterTopic, reason);
    final Headers headers = new RecordHeaders(headersOf(failure));
    DeadLetterHeaders.mark(headers, reason, source);
    final ProducerRecord<byte[], byte[]> letter =
        new ProducerRecord<>(
            deadLetterTopic, null, bytes(failure.keyBuffer()), bytes(failure.valueBuffer()),
            headers);
    try {
      producer.send(
          letter,
          (metadata, error) -> {
            if (error != null) {
              LOG.error("could not dead-letter the reply at {} to {}", source, deadLetterTopic, error);
            }
          });
    } catch (RuntimeException e) {
      LOG.error("could not dead-letter the reply at {} to {}", source, deadLetterTopic, e);
    }
  }

  /** The deserializer's own explanation (the cause), which says what was wrong with the bytes. */
  static String reason(final RecordDeserializationException failure) {
    final Throwable cause = failure.getCause() == null ? failure : failure.getCause();
    final String detail = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
    return "undecodable " + failure.origin().name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
  }

  private static Header[] headersOf(final RecordDeserializationException failure) {
    return failure.headers() == null ? new Header[0] : failure.headers().toArray();
  }

  private static byte[] bytes(final ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    final ByteBuffer copy = buffer.duplicate();
    final byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(CLOSE_TIMEOUT);
    }
  }
}
