package dev.tiergate.launcher.topics;

import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.CommandGroup;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SchemaCatalogue;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate topics apply | show}: the topic catalogue ({@link Topics#ALL}) on a real cluster.
 * {@code apply} is what a deployment runs once before the services start (the compose {@code topics}
 * service, the Kubernetes Job): it creates the missing topics and registers every value schema one
 * at a time, so the services never race on a fresh registry. Both steps are idempotent.
 */
@Command(
    name = "topics",
    description = "Create the catalogue's topics and register its schemas on a cluster, or compare.",
    subcommands = {TopicsCommand.Apply.class, TopicsCommand.Show.class})
public final class TopicsCommand extends CommandGroup {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  @Command(name = "apply", description = "Create missing topics (never changes existing ones) and register every value schema.")
  static final class Apply extends ClusterCommand {

    @Option(
        names = "--seed-routing-table",
        description = "Also publish the default models and routing rules, only when "
            + "tiergate.models and tiergate.routes are both empty (a fresh cluster).")
    boolean seedRoutingTable;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final KafkaSettings kafka = cluster.settings();
      final Set<String> created;
      boolean seeded = false;
      try (Admin admin = Admin.create(kafka.clientProperties(Map.of()))) {
        created = new TopicProvisioner(admin, ADMIN_TIMEOUT).provisionAll();
        if (seedRoutingTable && empty(admin, List.of(Topics.MODELS, Topics.ROUTES))) {
          DefaultRoutingTable.load().seed(kafka);
          seeded = true;
        }
      }
      SchemaCatalogue.registerAll(kafka);
      out.printf(Locale.ROOT, "topics: %d in the catalogue, %d created%s%n",
          Topics.ALL.size(), created.size(), created.isEmpty() ? "" : ": " + String.join(", ", created));
      out.printf(Locale.ROOT, "schemas: %d value schemas registered%n", avroTopics());
      if (seedRoutingTable) {
        out.printf(Locale.ROOT, "routing table: %s%n",
            seeded ? "default models and rules published" : "left as it is (not empty)");
      }
      return 0;
    }

    private static long avroTopics() {
      return Topics.ALL.stream().filter(topic -> topic.valueType() != byte[].class).count();
    }

    private static boolean empty(final Admin admin, final List<Topic<?>> topics) {
      final Set<String> names = topics.stream().map(Topic::name).collect(Collectors.toSet());
      final Map<String, TopicDescription> described =
          await(admin.describeTopics(names).allTopicNames());
      final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      described.values().forEach(description -> description.partitions().forEach(
          partition -> latest.put(
              new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest())));
      final Map<TopicPartition, ListOffsetsResultInfo> ends =
          await(admin.listOffsets(latest).all());
      return ends.values().stream().allMatch(info -> info.offset() == 0L);
    }
  }

  @Command(name = "show", description = "Compare the catalogue with the cluster; exit 1 while a topic is missing "
          + "(deployments wait on it), 0 when all exist (a differing one is reported, never changed).")
  static final class Show extends ClusterCommand {

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final Map<String, TopicDescription> described;
      final Map<ConfigResource, Config> configs;
      try (Admin admin = Admin.create(cluster.settings().clientProperties(Map.of()))) {
        final Set<String> existing = await(admin.listTopics().names());
        final Set<String> present = Topics.ALL.stream().map(Topic::name)
            .filter(existing::contains).collect(Collectors.toSet());
        described = await(admin.describeTopics(present).allTopicNames());
        configs = await(admin.describeConfigs(present.stream()
            .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all());
      }
      out.printf(Locale.ROOT, "%-30s %-18s %-18s %s%n", "TOPIC", "CATALOGUE", "CLUSTER", "STATE");
      int missing = 0;
      int differing = 0;
      for (final Topic<?> topic : Topics.ALL) {
        final String expected = topic.partitions() + " " + topic.cleanupPolicy().configValue();
        final String actual = actual(topic.name(), described, configs);
        final String state = actual.equals(expected) ? "ok" : actual.equals("-") ? "missing" : "differs";
        missing += state.equals("missing") ? 1 : 0;
        differing += state.equals("differs") ? 1 : 0;
        out.printf(Locale.ROOT, "%-30s %-18s %-18s %s%n", topic.name(), expected, actual, state);
      }
      out.printf(Locale.ROOT, "%d topics: %d missing, %d different%n", Topics.ALL.size(), missing, differing);
      return missing == 0 ? 0 : 1;
    }

    /** "partitions policy" as the cluster has it, or "-" when the topic is not there. */
    private static String actual(
        final String name,
        final Map<String, TopicDescription> described,
        final Map<ConfigResource, Config> configs) {
      final TopicDescription description = described.get(name);
      if (description == null) {
        return "-";
      }
      final ConfigEntry policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
          .get(TopicConfig.CLEANUP_POLICY_CONFIG);
      return description.partitions().size() + " " + (policy == null ? "?" : policy.value());
    }
  }

  private static <T> T await(final KafkaFuture<T> future) {
    return TopicProvisioner.await(future, ADMIN_TIMEOUT);
  }
}
