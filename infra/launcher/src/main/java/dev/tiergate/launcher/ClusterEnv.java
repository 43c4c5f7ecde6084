package dev.tiergate.launcher;

import dev.tiergate.schemas.KafkaSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * The process environment with a CLI command's {@code --bootstrap-servers}/{@code --registry-url}
 * applied over it: every command that talks to a cluster takes the same two options, whichever way
 * it then turns the environment into {@link KafkaSettings}.
 */
public final class ClusterEnv {

  private ClusterEnv() {}

  /** A copy of the environment; a non-null option wins over its variable. */
  public static Map<String, String> withOverrides(
      final String bootstrapServers, final String registryUrl) {
    final Map<String, String> env = new HashMap<>(System.getenv());
    if (bootstrapServers != null) {
      env.put(KafkaSettings.BOOTSTRAP_ENV, bootstrapServers);
    }
    if (registryUrl != null) {
      env.put(KafkaSettings.REGISTRY_ENV, registryUrl);
    }
    return env;
  }
}
