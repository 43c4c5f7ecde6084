package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.runtime.CompactedTopic;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the routing topics live, and the two things the routing commands do with them: read a
 * compacted table to its current end (no consumer group, nothing committed) and produce records,
 * waiting for every acknowledgement. The cluster comes from {@link ClusterOptions}.
 */
final class RoutingCluster {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ClusterOptions options;

  RoutingCluster(final ClusterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  private KafkaSettings settings() {
    return options.settings();
  }

  /** The table as it is now: the latest value per key, deleted keys left out, sorted by key. */
  <V> Map<String, V> read(final Topic<V> topic) {
    return CompactedTopic.read(settings(), topic, TIMEOUT);
  }

  /** Produces every record (key → value) and waits until all are acknowledged. */
  <V> void write(final Topic<V> topic, final Map<String, V> records) {
    CompactedTopic.write(settings(), topic, records, TIMEOUT);
  }
}
