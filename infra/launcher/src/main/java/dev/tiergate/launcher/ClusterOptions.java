package dev.tiergate.launcher;

import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Option;

/**
 * Where a command's cluster is, the same for every command that talks to one: {@code
 * --bootstrap-servers}/{@code --registry-url}, else {@code KAFKA_BOOTSTRAP_SERVERS}/{@code
 * SCHEMA_REGISTRY_URL}, else the {@code .tiergate/stack.env} a running {@code tiergate up} wrote in
 * the working directory. {@link #settings} also checks the brokers answer, so an unreachable cluster
 * is one clear error rather than a client retrying for a minute.
 */
public final class ClusterOptions {

  /** How long a command waits for the brokers to answer before it reports them unreachable. */
  static final Duration REACH_TIMEOUT = Duration.ofSeconds(5);

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or .tiergate/stack.env).")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      description = "Schema registry URL (default: $SCHEMA_REGISTRY_URL or .tiergate/stack.env).")
  String registryUrl;

  /** Options as if given on the command line, for code that drives a command's helpers. */
  public static ClusterOptions of(final String bootstrapServers, final String registryUrl) {
    final ClusterOptions options = new ClusterOptions();
    options.bootstrapServers = bootstrapServers;
    options.registryUrl = registryUrl;
    return options;
  }

  /** The cluster's settings, once its brokers have answered. */
  public KafkaSettings settings() {
    final KafkaSettings kafka = StackEnv.settings(withOverrides(), StackEnv.WORKING_DIR);
    requireReachable(kafka);
    return kafka;
  }

  /** A copy of the environment; a non-null option wins over its variable. */
  private Map<String, String> withOverrides() {
    final Map<String, String> env = new HashMap<>(System.getenv());
    if (bootstrapServers != null) {
      env.put(KafkaSettings.BOOTSTRAP_ENV, bootstrapServers);
    }
    if (registryUrl != null) {
      env.put(KafkaSettings.REGISTRY_ENV, registryUrl);
    }
    return env;
  }

  static void requireReachable(final KafkaSettings kafka) {
    final int timeoutMs = (int) REACH_TIMEOUT.toMillis();
    final Map<String, Object> bounded = Map.of(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin admin = Admin.create(kafka.clientProperties(bounded))) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
          .clusterId()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new ClusterUnreachableException(kafka.bootstrapServers(), REACH_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterUnreachableException(kafka.bootstrapServers(), REACH_TIMEOUT, e);
    }
  }

  /** The brokers did not answer in time, or their address does not resolve. */
  public static final class ClusterUnreachableException extends RuntimeException {
    ClusterUnreachableException(final String servers, final Duration timeout, final Exception cause) {
      super("cannot reach the Kafka cluster at " + servers + " within " + timeout.toSeconds()
          + " s (is 'tiergate up' running, or --bootstrap-servers right?)", cause);
    }
  }
}
