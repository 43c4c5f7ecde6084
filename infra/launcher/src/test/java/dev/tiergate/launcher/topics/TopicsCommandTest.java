package dev.tiergate.launcher.topics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.EmbeddedKafka;
import dev.tiergate.stack.SchemaRegistryProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
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
import picocli.CommandLine;

/**
 * {@code tiergate topics} against a bare broker and registry (no provisioning, unlike {@code
 * LocalStack}), the way a deployment's topics job meets a fresh cluster.
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

  private static int run(final StringWriter out, final String... args) {
    final String[] withCluster = new String[args.length + 2];
    System.arraycopy(args, 0, withCluster, 0, args.length);
    withCluster[args.length] = "--bootstrap-servers=" + kafka.bootstrapServers();
    withCluster[args.length + 1] = "--registry-url=" + registry.url();
    return new CommandLine(new TiergateCli()).setOut(new PrintWriter(out, true)).execute(withCluster);
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
