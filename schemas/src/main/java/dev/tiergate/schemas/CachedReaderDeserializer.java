package dev.tiergate.schemas;

import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent's wire format with one Avro reader per writer schema id, kept for the life of
 * the deserializer. Apicurio's deserializer builds a new reader for every record, and with it the
 * writer-to-reader schema resolution (a deep comparison of the two schemas, up to a millisecond for
 * the request schemas). The first record of each id still goes through the registry deserializer,
 * so garbage bytes and unknown ids fail exactly as they do there; after it, the writer schema is in
 * the registry client's cache and the reader resolves it once.
 */
final class CachedReaderDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  private static final byte MAGIC_BYTE = 0;
  private static final int HEADER_BYTES = 5;

  private final AvroKafkaDeserializer<T> registry;
  private final Schema readerSchema;
  private final Map<Integer, SpecificDatumReader<T>> readerById = new ConcurrentHashMap<>();

  CachedReaderDeserializer(final AvroKafkaDeserializer<T> registry, final Class<T> type) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.readerSchema = SpecificData.getForClass(type).getSchema(Objects.requireNonNull(type, "type"));
  }

  @Override
  public T deserialize(final String topic, final byte[] data) {
    return deserialize(topic, null, data);
  }

  @Override
  public T deserialize(final String topic, final Headers headers, final byte[] data) {
    if (data == null || data.length < HEADER_BYTES || data[0] != MAGIC_BYTE) {
      return registry.deserialize(topic, headers, data);
    }
    final int id = ByteBuffer.wrap(data, 1, Integer.BYTES).getInt();
    final SpecificDatumReader<T> reader = readerById.get(id);
    if (reader == null) {
      final T first = registry.deserialize(topic, headers, data);
      readerById.putIfAbsent(id, readerFor(id));
      return first;
    }
    return decode(topic, reader, data);
  }

  private SpecificDatumReader<T> readerFor(final int id) {
    final Schema writerSchema =
        registry
            .getSchemaResolver()
            .resolveSchemaByArtifactReference(ArtifactReference.builder().contentId((long) id).build())
            .getParsedSchema()
            .getParsedSchema();
    return new SpecificDatumReader<>(writerSchema, readerSchema);
  }

  private T decode(final String topic, final SpecificDatumReader<T> reader, final byte[] data) {
    try {
      final BinaryDecoder decoder =
          DecoderFactory.get().binaryDecoder(data, HEADER_BYTES, data.length - HEADER_BYTES, null);
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode a record on " + topic, e);
    }
  }

  /**
   * Leaves the registry deserializer open: its client is shared by every serde of the factory
   * (closing it would cut the others off), and it holds nothing else that needs releasing.
   */
  @Override
  public void close() {}
}
