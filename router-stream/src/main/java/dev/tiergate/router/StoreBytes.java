package dev.tiergate.router;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The plumbing shared by the router's own store and repartition formats. */
final class StoreBytes {

  private StoreBytes() {}

  /** A serde that passes null (a tombstone) through and encodes or decodes everything else. */
  static <T> Serde<T> nullSafe(final Function<T, byte[]> encode, final Function<byte[], T> decode) {
    final Serializer<T> serializer = (topic, value) -> value == null ? null : encode.apply(value);
    final Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : decode.apply(bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** The bytes {@code writer} writes, into a buffer first sized for {@code expectedSize}. */
  static byte[] write(final int expectedSize, final Writer writer) {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream(expectedSize);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes one value's fields. */
  @FunctionalInterface
  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }
}
