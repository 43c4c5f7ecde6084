package dev.tiergate.launcher.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive requests keep their latency while a large batch runs. Every provider call takes 50 ms
 * and the dispatcher runs at most 4 batch items at once, so a batch of n items needs at least n / 80
 * seconds whatever the machine's speed; the assertion is on counts (most of the batch still
 * pending when the interactive answer arrives), never on a time threshold.
 */
class BatchPriorityEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int BATCH_ITEMS = 800;

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(
        new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
            .withSimulator(SimulatorConfig.defaults().withLatency(Duration.ofMillis(50)))
            .withServiceEnv(Map.of("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT", "4")));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void anInteractiveRequestIsAnsweredWhileMostOfALargeBatchIsStillPending() throws Exception {
    final BatchClient client = new BatchClient(stack.kafkaSettings(), stack.kafkaSettings().serdes());
    final String batchId = "batch_priority";
    new ExampleBatchProducer(stack.kafkaSettings()).produce(batchId, "load", BATCH_ITEMS);
    await().atMost(Duration.ofMinutes(3)).until(() -> client.progress(batchId)
        .map(progress -> progress.getDone() > 0).orElse(false));

    final HttpResponse<String> interactive = chat("Is the build green?");
    final BatchProgress atAnswer = client.progress(batchId).orElseThrow();

    assertThat(interactive.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(interactive.body()).at("/choices/0/message/content").asText())
        .contains("Is the build green?");
    assertThat(atAnswer.getDone() + atAnswer.getFailed())
        .as("batch items answered when the interactive request was")
        .isLessThan(BATCH_ITEMS / 2);
    // The dispatcher's own metrics tell the two lanes apart.
    final String metrics = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.dispatcherMetricsUrl().orElseThrow()))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(served(metrics, "interactive")).isGreaterThanOrEqualTo(1);
    assertThat(served(metrics, "batch")).isPositive();
  }

  /** Requests served in one lane, from the dispatcher's Prometheus text. */
  private static double served(final String metrics, final String lane) {
    return metrics.lines()
        .filter(line -> line.startsWith("tiergate_dispatcher_requests_total{"))
        .filter(line -> line.contains("lane=\"" + lane + "\"") && line.contains("outcome=\"served\""))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static HttpResponse<String> chat(final String prompt) throws Exception {
    final String body = JSON.createObjectNode()
        .put("model", "auto/small")
        .set("messages", JSON.createArrayNode().add(
            JSON.createObjectNode().put("role", "user").put("content", prompt)))
        .toString();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
