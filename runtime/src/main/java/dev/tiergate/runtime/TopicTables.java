package dev.tiergate.runtime;

import dev.tiergate.schemas.Topic;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A topic of the catalogue read as a table the same way in every Streams app: string keys, and the
 * source node and the store named by the caller, so an upgrade keeps both names (and the state).
 */
public final class TopicTables {

  private TopicTables() {}

  /**
   * The topic as a global table on every instance.
   *
   * @param values how values are read: the topic's serde, or a wrapper of it (one that decodes
   *     each distinct record once, say)
   */
  public static <V> GlobalKTable<String, V> global(
      final StreamsBuilder builder,
      final Topic<V> topic,
      final Serde<V> values,
      final String sourceName,
      final String storeName) {
    return builder.globalTable(
        topic.name(), source(topic, values, sourceName), store(storeName, values));
  }

  /** The topic as a table partitioned like the topic, as {@link #global} names it. */
  public static <V> KTable<String, V> table(
      final StreamsBuilder builder,
      final Topic<V> topic,
      final Serde<V> values,
      final String sourceName,
      final String storeName) {
    return builder.table(topic.name(), source(topic, values, sourceName), store(storeName, values));
  }

  /** A named key-value store of string keys, for a table or an aggregation. */
  public static <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> store(
      final String name, final Serde<V> values) {
    return Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(Objects.requireNonNull(name, "name"))
        .withKeySerde(Serdes.String())
        .withValueSerde(Objects.requireNonNull(values, "values"));
  }

  private static <V> Consumed<String, V> source(
      final Topic<V> topic, final Serde<V> values, final String name) {
    return Consumed.with(topic.keySerde(), values).withName(Objects.requireNonNull(name, "name"));
  }
}
