package dev.tiergate.schemas;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where the cluster and registry are, read the same way by every service: {@code
 * KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} are required; every other {@code KAFKA_*}
 * variable passes through as a client property ({@code KAFKA_SECURITY_PROTOCOL} becomes {@code
 * security.protocol}).
 *
 * @param clientProperties properties for every Kafka client, bootstrap servers included
 */
public record KafkaSettings(
    String bootstrapServers, String schemaRegistryUrl, Map<String, String> clientProperties) {

  public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String REGISTRY_ENV = "SCHEMA_REGISTRY_URL";
  private static final String PASS_THROUGH_PREFIX = "KAFKA_";

  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    final Map<String, String> merged = new TreeMap<>(clientProperties);
    merged.put("bootstrap.servers", bootstrapServers);
    clientProperties = Map.copyOf(merged);
  }

  public static KafkaSettings of(final String bootstrapServers, final String schemaRegistryUrl) {
    return new KafkaSettings(bootstrapServers, schemaRegistryUrl, Map.of());
  }

  /** Reads the settings from environment-style variables; fails fast on a missing one. */
  public static KafkaSettings fromEnv(final Map<String, String> env) {
    final Map<String, String> passThrough = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(PASS_THROUGH_PREFIX) && !name.equals(BOOTSTRAP_ENV)) {
            passThrough.put(toPropertyName(name.substring(PASS_THROUGH_PREFIX.length())), value);
          }
        });
    return new KafkaSettings(required(env, BOOTSTRAP_ENV), required(env, REGISTRY_ENV), passThrough);
  }

  /** A fresh copy of the client properties with the given overrides on top. */
  public Properties clientProperties(final Map<String, ?> overrides) {
    final Properties props = new Properties();
    props.putAll(clientProperties);
    props.putAll(overrides);
    return props;
  }

  public SerdeFactory serdes() {
    return SerdeFactory.registry(schemaRegistryUrl);
  }

  static String toPropertyName(final String envSuffix) {
    return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  public static String required(final Map<String, String> env, final String name) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing required setting " + name);
    }
    return value;
  }
}
