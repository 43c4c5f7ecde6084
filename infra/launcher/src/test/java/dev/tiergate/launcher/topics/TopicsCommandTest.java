package dev.tiergate.launcher.topics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.StackEnv;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.EmbeddedKafka;
import dev.tiergate.stack.FreePorts;
import dev.tiergate.stack.SchemaRegistryProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tiergate topics} against a bare broker and registry (no provisioning, unlike {@code
 * LocalStack}), the way a deployment's topics job meets a fresh cluster; then, on the cluster it
 * provisioned, the other commands run as the {@code tiergate} script runs them (their own JVM) from
 * a directory where {@code tiergate up} left its {@code .tiergate/stack.env}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TopicsCommandTest {

  private static EmbeddedKafka kafka;
  private static SchemaRegistryProcess registry;

  @BeforeAll
  static void startBareCluster() {
    registry = SchemaRegistryProcess.start();
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  @Order(1)
  void showReportsEveryTopicMissingOnAFreshCluster() {
    final StringWriter out = new StringWriter();
    final int exit = run(out, "topics", "show");

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString())
        .contains(Topics.ALL.size() + " topics: " + Topics.ALL.size() + " missing, 0 different");
  }

  @Test
  @Order(2)
  void applyCreatesEveryCatalogueTopicAndRegistersEverySchema() throws Exception {
    final StringWriter out = new StringWriter();
    final int exit = run(out, "topics", "apply", "--seed-routing-table");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains("topics: " + Topics.ALL.size() + " in the catalogue, " + Topics.ALL.size() + " created")
        .contains("routing table: default models and rules published");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      final Set<String> names = Topics.ALL.stream().map(Topic::name).collect(Collectors.toSet());
      final Map<String, TopicDescription> described =
          admin.describeTopics(names).allTopicNames().get();
      final Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
          .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get();
      for (final Topic<?> topic : Topics.ALL) {
        assertThat(described.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions());
        assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()))
            .get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
            .as(topic.name()).isEqualTo(topic.cleanupPolicy().configValue());
      }
    }
    assertThat(subjects()).containsAll(Topics.ALL.stream()
        .filter(topic -> topic.valueType() != byte[].class)
        .map(topic -> topic.name() + "-value")
        .toList());
  }

  @Test
  @Order(3)
  void applyAgainChangesNothingAndShowSaysAllMatch() {
    final StringWriter again = new StringWriter();
    assertThat(run(again, "topics", "apply", "--seed-routing-table")).isZero();
    assertThat(again.toString())
        .contains("0 created")
        .contains("routing table: left as it is (not empty)");

    final StringWriter show = new StringWriter();
    assertThat(run(show, "topics", "show")).isZero();
    assertThat(show.toString()).contains(Topics.ALL.size() + " topics: 0 missing, 0 different");
  }

  @Test
  @Order(4)
  void everyClusterCommandFindsTheStackThroughStackEnvWithoutExports(@TempDir final Path dir)
      throws Exception {
    StackEnv.write(dir, KafkaSettings.of(kafka.bootstrapServers(), registry.url()));

    for (final List<String> command : List.of(List.of("budgets", "list"), List.of("keys", "list"),
        List.of("routes", "show"), List.of("models", "show"))) {
      final CliRun run = CliRun.in(dir, command);
      assertThat(run.stderr()).as("%s", command).doesNotContain("Exception").doesNotContain("error:");
      assertThat(run.exitCode()).as("%s: %s", command, run.stderr()).isZero();
    }
    assertThat(CliRun.in(dir, List.of("routes", "show")).stdout()).contains("frontier/plan");
    final CliRun batch = CliRun.in(dir, List.of("batch", "status", "batch_unknown"));
    assertThat(batch.stderr()).isEqualTo("tiergate batch status: no batch batch_unknown\n");
  }

  @Test
  @Order(5)
  void anUnreachableOrUnknownClusterIsOneLineAndExitCode2(@TempDir final Path dir) throws Exception {
    final CliRun unknown = CliRun.in(dir, List.of("budgets", "list"));
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).hasLineCount(1).startsWith("error: no cluster").contains("tiergate up");

    StackEnv.write(dir, KafkaSettings.of("127.0.0.1:" + FreePorts.pick(), registry.url()));
    for (final List<String> command : List.of(List.of("budgets", "list"),
        List.of("keys", "list"), List.of("routes", "show"), List.of("topics", "show"))) {
      final CliRun unreachable = CliRun.in(dir, command);
      assertThat(unreachable.exitCode()).as("%s", command).isEqualTo(2);
      assertThat(unreachable.stderr()).as("%s", command)
          .hasLineCount(1).startsWith("error: cannot reach the Kafka cluster at 127.0.0.1:");
      assertThat(unreachable.stdout()).as("%s", command).isEmpty();
    }

    final CliRun badOption = CliRun.in(dir, List.of("budgets", "set", "--tenant"));
    assertThat(badOption.exitCode()).isEqualTo(2);
    assertThat(badOption.stderr()).hasLineCount(1).contains("tiergate budgets set --help");
  }

  /** {@code tiergate ARGS} in its own JVM, started in {@code dir} with no cluster variables set. */
  private record CliRun(int exitCode, String stdout, String stderr) {
    static CliRun in(final Path dir, final List<String> args) throws Exception {
      final List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          TiergateCli.class.getName()));
      command.addAll(args);
      final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      builder.environment().keySet().removeIf(name -> name.startsWith("KAFKA_")
          || name.equals(KafkaSettings.REGISTRY_ENV));
      final Path out = Files.createTempFile(dir, "out", ".txt");
      final Path err = Files.createTempFile(dir, "err", ".txt");
      final Process process =
          builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("tiergate " + args + " did not finish in 2 minutes");
      }
      return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
    }
  }

  private static int run(final StringWriter out, final String... args) {
    final String[] withCluster = new String[args.length + 2];
    System.arraycopy(args, 0, withCluster, 0, args.length);
    withCluster[args.length] = "--bootstrap-servers=" + kafka.bootstrapServers();
    withCluster[args.length + 1] = "--registry-url=" + registry.url();
    return TiergateCli.commandLine().setOut(new PrintWriter(out, true)).execute(withCluster);
  }

  /** The subjects the registry holds, through its Confluent-compatible API. */
  private static Set<String> subjects() throws Exception {
    final HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(registry.url() + "/apis/ccompat/v7/subjects")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    final Set<String> subjects = new HashSet<>();
    for (final JsonNode subject : new ObjectMapper().readTree(response.body())) {
      subjects.add(subject.asText());
    }
    return subjects;
  }
}
