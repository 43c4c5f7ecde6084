package dev.tiergate.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Avro binary without a registry, for TopologyTestDriver tests. */
final class SchemalessAvroSerdes implements SerdeFactory {

  @Override
  public <T extends SpecificRecord> Serde<T> avro(final Class<T> type) {
    final SpecificData model = SpecificData.getForClass(type);
    final var schema = model.getSchema(type);
    final SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(schema, model);
    final SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema, schema, model);
    return Serdes.serdeFrom(
        (topic, value) -> value == null ? null : write(writer, value),
        (topic, bytes) -> bytes == null ? null : read(reader, bytes, type));
  }

  private static <T> byte[] write(final SpecificDatumWriter<T> writer, final T value) {
    try {
      final ByteArrayOutputStream out = new ByteArrayOutputStream();
      final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(value, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(
      final SpecificDatumReader<T> reader, final byte[] bytes, final Class<T> type) {
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName(), e);
    }
  }
}
