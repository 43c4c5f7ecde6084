package dev.tiergate.dispatcher;

import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topic;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Reads back what the dispatcher produced to a {@link MockProducer}. */
final class Published {

  private final MockProducer<String, byte[]> producer;
  private final SerdeFactory serdes;

  Published(final MockProducer<String, byte[]> producer, final SerdeFactory serdes) {
    this.producer = producer;
    this.serdes = serdes;
  }

  <V> List<V> values(final Topic<V> topic) {
    return records(topic).stream()
        .map(record -> topic.valueSerde(serdes).deserializer().deserialize(topic.name(), record.value()))
        .toList();
  }

  List<ProducerRecord<String, byte[]>> records(final Topic<?> topic) {
    return producer.history().stream().filter(record -> record.topic().equals(topic.name())).toList();
  }

  static String correlationHeader(final ProducerRecord<String, byte[]> record) {
    return TiergateHeaders.get(record.headers(), TiergateHeaders.CORRELATION_ID).orElse(null);
  }
}
