package dev.tiergate.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Record header names shared by every service. */
public final class TiergateHeaders {

  /** The request id, on every record (it is also a field of every Avro value). */
  public static final String CORRELATION_ID = "tiergate-correlation-id";
  /** Why a record was dead-lettered. */
  public static final String DLQ_REASON = "tiergate-dlq-reason";
  /** Topic, partition and offset the dead letter came from. */
  public static final String DLQ_SOURCE = "tiergate-dlq-source";

  private TiergateHeaders() {}

  public static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  public static Optional<String> get(final Headers headers, final String name) {
    final Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }
}
