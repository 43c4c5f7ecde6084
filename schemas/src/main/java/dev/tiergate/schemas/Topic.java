package dev.tiergate.schemas;

import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic of the pipeline: its name, value type, partitions and retention. Keys are always strings
 * (session id, correlation id, rule key...). Code and topic provisioning read the same value, so no
 * topic name is spelled twice.
 *
 * @param retention empty for the broker default (and for compacted topics)
 */
public record Topic<V>(
    String name,
    Class<V> valueType,
    int partitions,
    CleanupPolicy cleanupPolicy,
    Optional<Duration> retention) {

  /** Kafka's {@code cleanup.policy} values. */
  public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact"),
    /** Compacted, and a key whose latest record is older than the retention is removed too. */
    COMPACT_DELETE("compact,delete");

    private final String configValue;

    CleanupPolicy(final String configValue) {
      this.configValue = configValue;
    }

    public String configValue() {
      return configValue;
    }
  }

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valueType, "valueType");
    Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
    Objects.requireNonNull(retention, "retention");
    Settings.requirePositive(partitions, "partitions");
  }

  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** The value serde: Avro through the given factory, or raw bytes for dead-letter topics. */
  @SuppressWarnings("unchecked")
  public Serde<V> valueSerde(final SerdeFactory serdes) {
    Objects.requireNonNull(serdes, "serdes");
    if (SpecificRecord.class.isAssignableFrom(valueType)) {
      return (Serde<V>) serdes.avro(valueType.asSubclass(SpecificRecord.class));
    }
    if (valueType == byte[].class) {
      return (Serde<V>) Serdes.ByteArray();
    }
    throw new IllegalStateException("no serde for " + valueType.getName() + " on " + name);
  }

  public boolean compacted() {
    return cleanupPolicy == CleanupPolicy.COMPACT || cleanupPolicy == CleanupPolicy.COMPACT_DELETE;
  }

  @Override
  public String toString() {
    return name;
  }
}
