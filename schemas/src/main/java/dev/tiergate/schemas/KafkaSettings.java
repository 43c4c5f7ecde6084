package dev.tiergate.schemas;

import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
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

  public static final Setting<String> BOOTSTRAP_SERVERS =
      Setting.text("KAFKA_BOOTSTRAP_SERVERS").required()
          .withDescription("the Kafka cluster; every other `KAFKA_*` variable passes through as a"
              + " client property (`KAFKA_SECURITY_PROTOCOL` becomes `security.protocol`)");
  public static final Setting<String> SCHEMA_REGISTRY_URL =
      Setting.text("SCHEMA_REGISTRY_URL").required().withDescription("the schema registry");
  public static final String BOOTSTRAP_ENV = BOOTSTRAP_SERVERS.name();
  public static final String REGISTRY_ENV = SCHEMA_REGISTRY_URL.name();
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
    final Settings settings = Settings.of(env);
    return new KafkaSettings(
        settings.get(BOOTSTRAP_SERVERS), settings.get(SCHEMA_REGISTRY_URL), passThrough);
  }

  /** A fresh copy of the client properties with the given overrides on top. */
  public Properties clientProperties(final Map<String, ?> overrides) {
    return clientProperties(Map.of(), overrides);
  }

  /**
   * A fresh copy of the client properties over {@code defaults} (a {@code KAFKA_*} variable
   * replaces a default) and under {@code overrides} (which nothing replaces).
   */
  public Properties clientProperties(final Map<String, ?> defaults, final Map<String, ?> overrides) {
    final Properties props = new Properties();
    props.putAll(defaults);
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
}
