package dev.tiergate.runtime;

import dev.tiergate.schemas.TiergateHeaders;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The two headers every dead letter carries, written one way by every service: why it was set aside
 * ({@link TiergateHeaders#DLQ_REASON}) and where it came from ({@link TiergateHeaders#DLQ_SOURCE}),
 * as {@code topic-partition@offset} (Kafka's own {@code TopicPartition} text plus the offset), so one
 * tool reads the letters of every topic.
 */
public final class DeadLetterHeaders {

  /** The source of a record whose position is not known (e.g. punctuation output). */
  public static final String UNKNOWN_SOURCE = "unknown";

  private DeadLetterHeaders() {}

  /** {@code topic-partition@offset}, e.g. {@code tiergate.usage-3@42}. */
  public static String source(final String topic, final int partition, final long offset) {
    Objects.requireNonNull(topic, "topic");
    return topic + "-" + partition + "@" + offset;
  }

  /** The source of the record a Streams processor is handling, or {@link #UNKNOWN_SOURCE}. */
  public static String source(final Optional<RecordMetadata> metadata) {
    return metadata.map(m -> source(m.topic(), m.partition(), m.offset())).orElse(UNKNOWN_SOURCE);
  }

  /**
   * A failure as a reason can tell it: the error and each of its causes, {@code ; caused by }
   * between them, so a letter says what went wrong underneath a wrapping exception.
   */
  public static String describe(final Throwable error) {
    final StringBuilder text = new StringBuilder(error.toString());
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      text.append("; caused by ").append(cause);
    }
    return text.toString();
  }

  /** Sets (replacing any earlier value) the reason and the source on {@code headers}. */
  public static Headers mark(final Headers headers, final String reason, final String source) {
    Objects.requireNonNull(headers, "headers");
    TiergateHeaders.put(headers, TiergateHeaders.DLQ_REASON, Objects.requireNonNull(reason, "reason"));
    TiergateHeaders.put(headers, TiergateHeaders.DLQ_SOURCE, Objects.requireNonNull(source, "source"));
    return headers;
  }
}
