package dev.tiergate.launcher.batch;

import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Cluster options shared by the batch commands; by default the environment or stack.env. */
final class ClusterOptions {

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or .tiergate/stack.env).")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      description = "Schema registry URL (default: $SCHEMA_REGISTRY_URL or .tiergate/stack.env).")
  String registryUrl;

  KafkaSettings settings() {
    final Map<String, String> env = new HashMap<>(System.getenv());
    if (bootstrapServers != null) {
      env.put(KafkaSettings.BOOTSTRAP_ENV, bootstrapServers);
    }
    if (registryUrl != null) {
      env.put(KafkaSettings.REGISTRY_ENV, registryUrl);
    }
    return BatchConnection.settings(env, Path.of(""));
  }
}
