package dev.tiergate.schemas;

import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.config.IdOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Avro serdes in Confluent's wire format, backed by Apicurio's serializer against the registry.
 * Schemas are registered on first use under the topic's {@code <topic>-value} subject. Apicurio's
 * serdes do per-record work that does not change between records (see {@link CachedIdSerializer}
 * and {@link CachedReaderDeserializer}); the wrappers keep its results.
 */
final class RegistryAvroSerdes implements SerdeFactory {

  private final Map<String, Object> config;
  /**
   * One registry client for every serde this factory makes: Apicurio's serdes otherwise build one
   * each, every one with its own HTTP client and selector thread (some 200 threads in the embedded
   * stack). Closing a serde therefore leaves the registry serde open (see the wrappers' close); the
   * client lives as long as the factory.
   */
  private final RegistryClient client;

  RegistryAvroSerdes(final String registryUrl, final Map<String, ?> extraConfig) {
    Objects.requireNonNull(registryUrl, "registryUrl");
    final Map<String, Object> settings = new HashMap<>();
    settings.put(SerdeConfig.REGISTRY_URL, nativeApiUrl(registryUrl));
    settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
    // Confluent wire format: magic byte + 4-byte id in the payload, no Apicurio headers, and
    // content ids, which are the ids the Confluent-compatible API hands out.
    settings.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
    // as-confluent alone first builds the default (8-byte) id handler, then swaps in the 4-byte
    // one with a "Duplicate id-handler configuration" warning for every serde; naming the 4-byte
    // handler directly gives the same wire format without the noise.
    settings.put(SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName());
    settings.put(SerdeConfig.ENABLE_HEADERS, false);
    settings.put(SerdeConfig.USE_ID, IdOption.contentId.name());
    settings.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    settings.putAll(extraConfig);
    this.config = Map.copyOf(settings);
    this.client = RegistryClientFactory.create(nativeApiUrl(registryUrl), new HashMap<>(config));
  }

  @Override
  public <T extends SpecificRecord> Serde<T> avro(final Class<T> type) {
    final AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>(client);
    final AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>(client);
    serializer.configure(config, false);
    deserializer.configure(config, false);
    return Serdes.serdeFrom(
        new CachedIdSerializer<>(serializer, SpecificData.getForClass(type).getSchema(type)),
        new TypeCheckingDeserializer<>(new CachedReaderDeserializer<>(deserializer, type), type));
  }

  /**
   * The registry decodes a record with whatever schema its writer registered, so a record of
   * another type on the topic (a producer's mistake) would decode "successfully" and fail later
   * with a ClassCastException. Rejecting it here makes it undecodable, which every consumer
   * already handles (dead-letter topic or skip).
   */
  private static final class TypeCheckingDeserializer<T> implements Deserializer<T> {
    private final Deserializer<T> delegate;
    private final Class<T> type;

    TypeCheckingDeserializer(final Deserializer<T> delegate, final Class<T> type) {
      this.delegate = delegate;
      this.type = type;
    }

    @Override
    public T deserialize(final String topic, final byte[] data) {
      return checked(topic, delegate.deserialize(topic, data));
    }

    @Override
    public T deserialize(final String topic, final Headers headers, final byte[] data) {
      return checked(topic, delegate.deserialize(topic, headers, data));
    }

    private T checked(final String topic, final Object value) {
      if (value != null && !type.isInstance(value)) {
        throw new SerializationException(
            "record on " + topic + " is a " + value.getClass().getSimpleName()
                + ", expected " + type.getSimpleName());
      }
      return type.cast(value);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Apicurio's client speaks the registry's native v2 API beside the ccompat one. */
  static String nativeApiUrl(final String registryUrl) {
    final String base = registryUrl.replaceAll("/+$", "");
    return base.endsWith("/apis/registry/v2") ? base : base + "/apis/registry/v2";
  }
}
