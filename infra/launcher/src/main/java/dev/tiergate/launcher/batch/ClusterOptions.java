package dev.tiergate.launcher.batch;

import dev.tiergate.launcher.ClusterEnv;
import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Path;
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
    return BatchConnection.settings(
        ClusterEnv.withOverrides(bootstrapServers, registryUrl), Path.of(""));
  }
}
