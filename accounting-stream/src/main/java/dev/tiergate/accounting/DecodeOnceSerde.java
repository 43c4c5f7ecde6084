package dev.tiergate.accounting;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;

/**
 * A global table's value serde that decodes each distinct stored value once: every usage looks up
 * the same few catalogue, route and budget records, and each lookup used to decode Avro again.
 * The decoded value is keyed by its bytes (the wire format names the writer schema in them), so a
 * changed record, whose bytes differ, is decoded anew and never served stale. Shared by the global
 * thread, the stream threads and the query API, so the map is concurrent; it is bounded by being
 * cleared when full. Callers share the decoded values and only read them.
 *
 * @param <V> the table's value type
 */
final class DecodeOnceSerde<V> implements Serde<V> {

  /** More distinct values than a catalogue, a routing table or the budgets hold. */
  static final int MAX_VALUES = 10_000;

  private final Serde<V> inner;
  private final Map<Bytes, V> decoded = new ConcurrentHashMap<>();

  DecodeOnceSerde(final Serde<V> inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  @Override
  public Serializer<V> serializer() {
    return inner.serializer();
  }

  @Override
  public Deserializer<V> deserializer() {
    final Deserializer<V> decoder = inner.deserializer();
    return new Deserializer<>() {
      @Override
      public void configure(final Map<String, ?> configs, final boolean isKey) {
        decoder.configure(configs, isKey);
      }

      @Override
      public V deserialize(final String topic, final byte[] data) {
        return decoded(data, () -> decoder.deserialize(topic, data));
      }

      @Override
      public V deserialize(final String topic, final Headers headers, final byte[] data) {
        return decoded(data, () -> decoder.deserialize(topic, headers, data));
      }

      @Override
      public void close() {
        decoder.close();
      }
    };
  }

  /** How many decoded values are held, for tests. */
  int size() {
    return decoded.size();
  }

  private V decoded(final byte[] data, final Supplier<V> decode) {
    if (data == null) {
      return decode.get();
    }
    final Bytes key = Bytes.wrap(data);
    final V known = decoded.get(key);
    if (known != null) {
      return known;
    }
    final V value = decode.get();
    if (value != null) {
      if (decoded.size() >= MAX_VALUES) {
        decoded.clear();
      }
      // The caller may reuse its array: the key keeps a copy.
      decoded.put(Bytes.wrap(data.clone()), value);
    }
    return value;
  }
}
