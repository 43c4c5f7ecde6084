package dev.tiergate.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** Builds the Avro value serdes of the pipeline. Passed in everywhere; never a static default. */
public interface SerdeFactory {

  /** A value serde for the given generated Avro class. */
  <T extends SpecificRecord> Serde<T> avro(Class<T> type);

  /**
   * Confluent wire format (magic byte, 4-byte schema id, Avro binary) against a registry's
   * Confluent-compatible API, so any Confluent-ecosystem client can read the topics.
   *
   * @param registryUrl the registry's base URL, e.g. {@code http://127.0.0.1:8081}
   * @param extraConfig further {@code apicurio.registry.*} settings, e.g. auth
   */
  static SerdeFactory registry(final String registryUrl, final Map<String, ?> extraConfig) {
    return new RegistryAvroSerdes(registryUrl, extraConfig);
  }

  static SerdeFactory registry(final String registryUrl) {
    return registry(registryUrl, Map.of());
  }

  /**
   * Plain Avro binary with the writer schema taken from the generated class. Only for topology
   * tests that run without a registry; never on a real topic.
   */
  static SerdeFactory schemaless() {
    return new SchemalessAvroSerdes();
  }
}
