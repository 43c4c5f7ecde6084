package dev.tiergate.runtime;

import dev.tiergate.schemas.TopicProvisioner;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.internals.ChangelogTopics;
import org.apache.kafka.streams.processor.internals.InternalTopicManager;
import org.apache.kafka.streams.processor.internals.InternalTopologyBuilder.TopicsInfo;
import org.apache.kafka.streams.processor.internals.PartitionGrouper;
import org.apache.kafka.streams.processor.internals.RepartitionTopics;
import org.apache.kafka.streams.processor.internals.TopologyMetadata;
import org.apache.kafka.streams.processor.internals.TopologyMetadata.Subtopology;
import org.apache.kafka.streams.processor.internals.assignment.CopartitionedTopicsEnforcer;

/**
 * Creates a Streams app's repartition and changelog topics before the app joins its group. Left to
 * the app, its group leader creates them at the first assignment, and the members then join a second
 * time because the topics they read have changed: one rebalance more at every first start.
 *
 * <p>Names, partition counts and configs come from the same Kafka Streams classes, called the way
 * the leader's assignor calls them ({@code StreamsPartitionAssignor}: {@link RepartitionTopics},
 * the {@link PartitionGrouper}, {@link ChangelogTopics}) on the app's own rewritten topology and
 * config, so any topology gets exactly the topics Streams would create. Those classes are Streams
 * internals, reached through {@link KafkaStreams}' protected fields; {@code StreamsRunnerTest}
 * compares the result with what Streams creates by itself, so an upgrade that changes them fails a
 * test rather than the start.
 */
final class InternalTopics {

  /** No named topology left out (a {@code Set.of()} would refuse the unnamed one's null name). */
  private static final Set<String> NO_TOPOLOGY = Collections.emptySet();

  private InternalTopics() {}

  /**
   * Creates the internal topics of {@code streams} (not started yet) that do not exist, with the
   * app's admin client and config, and waits until they are ready.
   *
   * @param timeout how long the input topics' description may take
   *
   * @return the names of every internal topic of the app
   * @throws RuntimeException when the topics cannot be created (the app then creates them itself)
   */
  static Set<String> create(final KafkaStreams streams, final Duration timeout) {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(timeout, "timeout");
    final TopologyMetadata topology = field(streams, "topologyMetadata", TopologyMetadata.class);
    final StreamsConfig config = field(streams, "applicationConfigs", StreamsConfig.class);
    final Admin admin = field(streams, "adminClient", Admin.class);
    final String logPrefix = "stream-client [" + config.getString(StreamsConfig.APPLICATION_ID_CONFIG)
        + "] internal topics ";
    // Retries a topic that is not ready as the app's own would (half its max.poll.interval.ms).
    final InternalTopicManager topics = new InternalTopicManager(Time.SYSTEM, admin, config);

    final Cluster sources = sourceTopics(admin, topology, timeout);
    final RepartitionTopics repartition = new RepartitionTopics(
        topology, topics, new CopartitionedTopicsEnforcer(logPrefix), sources, logPrefix);
    repartition.setup();
    if (!repartition.missingSourceTopics().isEmpty()) {
      throw new IllegalStateException("source topics missing: " + repartition.missingSourceTopics());
    }
    final Cluster withRepartition = sources.withPartitions(repartition.topicPartitionsInfo());
    final Map<Subtopology, TopicsInfo> groups = topology.subtopologyTopicsInfoMapExcluding(NO_TOPOLOGY);
    final Map<Subtopology, Set<String>> sourcesByGroup = new HashMap<>();
    groups.forEach((group, info) -> sourcesByGroup.put(group, info.sourceTopics));
    final Map<TaskId, Set<TopicPartition>> partitionsByTask =
        new PartitionGrouper().partitionGroups(sourcesByGroup, withRepartition);
    final Map<Subtopology, Set<TaskId>> tasksByGroup = new HashMap<>();
    partitionsByTask.keySet().forEach(task -> tasksByGroup
        .computeIfAbsent(new Subtopology(task.subtopology(), task.topologyName()),
            group -> new HashSet<>())
        .add(task));
    new ChangelogTopics(topics, groups, tasksByGroup, logPrefix).setup();

    final Set<String> names = new TreeSet<>();
    groups.values().forEach(info -> {
      names.addAll(info.repartitionSourceTopics.keySet());
      info.nonSourceChangelogTopics().forEach(changelog -> names.add(changelog.name()));
    });
    return names;
  }

  /** The partitions of the app's input topics as the broker has them, as a consumer would see. */
  private static Cluster sourceTopics(
      final Admin admin, final TopologyMetadata topology, final Duration timeout) {
    final Set<String> internal = new HashSet<>();
    final Set<String> inputs = new TreeSet<>();
    topology.subtopologyTopicsInfoMapExcluding(NO_TOPOLOGY).values().forEach(info -> {
      internal.addAll(info.repartitionSourceTopics.keySet());
      inputs.addAll(info.sourceTopics);
    });
    inputs.removeAll(internal);
    final Map<String, TopicDescription> described = TopicProvisioner.await(
        admin.describeTopics(inputs).allTopicNames(), timeout);
    final List<PartitionInfo> partitions = described.values().stream()
        .flatMap(topic -> topic.partitions().stream().map(partition -> new PartitionInfo(
            topic.name(), partition.partition(), null, new Node[0], new Node[0])))
        .toList();
    return new Cluster(null, List.of(), partitions, Set.of(), Set.of());
  }

  private static <T> T field(final KafkaStreams streams, final String name, final Class<T> type) {
    try {
      final Field field = KafkaStreams.class.getDeclaredField(name);
      field.setAccessible(true);
      return type.cast(field.get(streams));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("KafkaStreams has no field " + name + " of " + type, e);
    }
  }
}
