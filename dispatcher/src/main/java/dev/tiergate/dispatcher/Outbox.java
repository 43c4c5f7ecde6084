package dev.tiergate.dispatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a request in flight will write when it is done (its response and usage), held until the
 * worker commits them in one Kafka transaction with the request's offset. The worker opens an
 * entry when it starts a request and takes or discards it; a record staged for an id with no open
 * entry (a request this instance abandoned) is dropped. Thread-safe: requests stage from their own
 * threads, the poll thread takes.
 */
final class Outbox {

  private final Map<String, List<ProducerRecord<String, byte[]>>> open = new ConcurrentHashMap<>();

  /** Starts collecting for a request; anything left from an earlier attempt is dropped. */
  void open(final String correlationId) {
    open.put(Objects.requireNonNull(correlationId, "correlationId"), new ArrayList<>());
  }

  /** False when the request has no open entry (abandoned): the record is not kept. */
  boolean stage(final String correlationId, final ProducerRecord<String, byte[]> record) {
    Objects.requireNonNull(record, "record");
    return open.computeIfPresent(
            correlationId,
            (id, records) -> {
              records.add(record);
              return records;
            })
        != null;
  }

  /** The records staged for a request, in staging order, and closes its entry. */
  List<ProducerRecord<String, byte[]>> take(final String correlationId) {
    final List<ProducerRecord<String, byte[]>> records = open.remove(correlationId);
    return records == null ? List.of() : List.copyOf(records);
  }

  /** Closes a request's entry without keeping what it staged. */
  void discard(final String correlationId) {
    open.remove(correlationId);
  }
}
