package dev.tiergate.launcher.faults.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.KafkaSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The pipeline end to end against a broker and a registry in containers ({@code apache/kafka} and
 * Apicurio Registry), started by Testcontainers: the path a real cluster takes, with nothing
 * embedded but the services. Compiled and run only with {@code -Pcontainers}; skipped, saying why,
 * where no Docker engine runs.
 */
@EnabledIf(value = "dockerAvailable", disabledReason = ContainerClusterTest.NO_DOCKER)
class ContainerClusterTest {

  static final String NO_DOCKER =
      "No Docker engine here: the Testcontainers cluster test is skipped. The embedded stack and the "
          + "KAFKA_BOOTSTRAP_SERVERS/SCHEMA_REGISTRY_URL path (docs/operations.md) cover real-cluster runs.";
  private static final Logger LOG = LoggerFactory.getLogger(ContainerClusterTest.class);

  private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
  private static final String REGISTRY_IMAGE = "apicurio/apicurio-registry-mem:2.4.2.Final";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dataDir;
  private static KafkaContainer kafka;
  private static GenericContainer<?> registry;
  private static TiergateStack stack;

  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  static void startContainersAndStack() {
    kafka = new KafkaContainer(KAFKA_IMAGE);
    registry =
        new GenericContainer<>(REGISTRY_IMAGE)
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/health/ready").forPort(8080));
    kafka.start();
    registry.start();
    final String registryUrl = "http://" + registry.getHost() + ":" + registry.getMappedPort(8080);
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
                .withExternalCluster(KafkaSettings.of(kafka.getBootstrapServers(), registryUrl)));
  }

  /** Says why in the build output too, not only in the report. */
  static boolean dockerAvailable() {
    final boolean available = DockerClientFactory.instance().isDockerAvailable();
    if (!available) {
      LOG.warn(NO_DOCKER);
    }
    return available;
  }

  @AfterAll
  static void stopAll() {
    if (stack != null) {
      stack.close();
    }
    if (registry != null) {
      registry.stop();
    }
    if (kafka != null) {
      kafka.stop();
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void answersAndAccountsARequestOnTheContainerCluster() throws Exception {
    final String body =
        "{\"model\":\"auto/frontier\",\"messages\":[{\"role\":\"user\",\"content\":\"Plan a test\"}]}";
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer tg-demo-key")
                .header("Content-Type", "application/json")
                .header("x-tiergate-mode", "plan")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-tiergate-model"))
        .contains("anthropic/claude-sonnet-4.5");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              final HttpResponse<String> spend =
                  HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create(stack.accountingUrl() + "/v1/spend?tenant=demo&by=mode"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(spend.statusCode()).isEqualTo(200);
              final JsonNode rows = JSON.readTree(spend.body()).get("rows");
              assertThat(rows).anySatisfy(row -> assertThat(row.get("value").asText()).isEqualTo("plan"));
            });
  }
}
