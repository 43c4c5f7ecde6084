package dev.tiergate.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Confluent's wire format (magic byte 0, 4-byte schema id, Avro binary) with the schema id
 * that the registry serializer obtained for the topic on its first record. Apicurio's serializer
 * renders the whole schema to JSON on every record to look its id up (hundreds of microseconds for
 * the request schemas, several times per request along the pipeline); the id of one class's schema
 * under one topic never changes, so after the first record only the Avro encoding is left. The
 * first record of each topic still goes through the registry serializer, which registers the
 * schema if needed. Not bound to generated classes: {@link SchemaCatalogue} registers with generic
 * records of the same schemas.
 */
final class CachedIdSerializer<T> implements Serializer<T> {

  private static final byte MAGIC_BYTE = 0;
  private static final int HEADER_BYTES = 5;

  private final Serializer<T> registry;
  private final SpecificDatumWriter<T> writer;
  private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();

  CachedIdSerializer(final Serializer<T> registry, final Schema schema) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.writer = new SpecificDatumWriter<>(Objects.requireNonNull(schema, "schema"));
  }

  @Override
  public byte[] serialize(final String topic, final T data) {
    return serialize(topic, null, data);
  }

  @Override
  public byte[] serialize(final String topic, final Headers headers, final T data) {
    if (data == null) {
      return null;
    }
    final Integer id = idByTopic.get(topic);
    if (id == null) {
      final byte[] first = registry.serialize(topic, headers, data);
      idByTopic.putIfAbsent(topic, schemaId(topic, first));
      return first;
    }
    return encode(id, data);
  }

  private byte[] encode(final int id, final T data) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(id).array());
    try {
      final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode a " + data.getClass().getSimpleName(), e);
    }
    return out.toByteArray();
  }

  /** The id the registry serializer wrote after the magic byte. */
  static int schemaId(final String topic, final byte[] payload) {
    if (payload == null || payload.length < HEADER_BYTES || payload[0] != MAGIC_BYTE) {
      throw new SerializationException(
          "the registry serializer did not write Confluent's wire format for " + topic);
    }
    return ByteBuffer.wrap(payload, 1, Integer.BYTES).getInt();
  }

  /**
   * Leaves the registry serializer open: its client is shared by every serde of the factory
   * (closing it would cut the others off), and it holds nothing else that needs releasing.
   */
  @Override
  public void close() {}
}
