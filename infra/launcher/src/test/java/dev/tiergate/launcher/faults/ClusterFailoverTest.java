package dev.tiergate.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.ServiceProcess;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.BrokerCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tiergate up --brokers 3 --instances 2} for real: three broker JVMs, two processes of every
 * service, requests spread over both ingress instances, and one broker SIGKILLed while they flow.
 * Every request is answered, and every answered request is billed exactly once.
 */
class ClusterFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFailoverTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int REQUESTS = 200;
  private static final int IN_FLIGHT = 16;
  private static final int KILL_AFTER = 60;

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static KeyTally usage;
  private static final Map<String, Integer> answered = new ConcurrentHashMap<>();
  private static final List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void killABrokerUnderLoad() throws Exception {
    stack = TiergateStack.start(
        new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
            .withLayout(new TiergateStack.Layout(3, 2)));
    usage = new KeyTally(stack.kafkaSettings(), Topics.USAGE.name(), "req_");
    final BrokerCluster cluster = stack.brokerCluster().orElseThrow();
    final Semaphore slots = new Semaphore(IN_FLIGHT);
    final List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      if (i == KILL_AFTER) {
        LOG.info("killing Kafka node 1 with {} requests sent", i);
        cluster.kill(0);
      }
      slots.acquire();
      final String ingress = stack.ingressUrls().get(i % stack.ingressUrls().size());
      calls.add(HTTP.sendAsync(chat(ingress, i), HttpResponse.BodyHandlers.ofString())
          .thenAccept(ClusterFailoverTest::record)
          .whenComplete((ok, error) -> slots.release()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (usage != null) {
      usage.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void runsTwoProcessesOfEveryServiceOnThreeBrokers() {
    assertThat(stack.ingressUrls()).hasSize(2);
    assertThat(stack.processes()).extracting(ServiceProcess::kind)
        .filteredOn(kind -> kind == ServiceProcess.Kind.DISPATCHER).hasSize(2);
    assertThat(stack.processes()).allSatisfy(process -> assertThat(process.isAlive()).isTrue());
    assertThat(stack.brokerCluster()).hasValueSatisfying(cluster -> {
      assertThat(cluster.size()).isEqualTo(3);
      assertThat(cluster.isRunning(0)).isFalse();
    });
  }

  @Test
  void everyRequestIsAnsweredWhileABrokerDies() {
    assertThat(statuses).hasSize(REQUESTS).containsOnly(200);
    assertThat(answered).hasSize(REQUESTS);
  }

  @Test
  void everyAnsweredRequestIsBilledExactlyOnce() {
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(usage.distinct()).isEqualTo(answered.size());
      assertThat(usage.duplicates()).isEmpty();
    });
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(spentRequests()).isEqualTo(answered.size()));
  }

  private static void record(final HttpResponse<String> response) {
    statuses.add(response.statusCode());
    response.headers().firstValue("x-tiergate-request-id")
        .ifPresent(id -> answered.merge(id, 1, Integer::sum));
    if (response.statusCode() != 200) {
      LOG.warn("status {}: {}", response.statusCode(), response.body());
    }
  }

  private static long spentRequests() throws Exception {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/v1/spend?tenant=demo&by=mode&window=total"))
            .header("Authorization", "Bearer tg-demo-key").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    long requests = 0;
    for (final JsonNode row : JSON.readTree(response.body()).path("rows")) {
      requests += row.path("requests").asLong();
    }
    return requests;
  }

  private static HttpRequest chat(final String ingress, final int i) {
    final String body = "{\"model\":\"auto/balanced\",\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"failover request " + i + "\"}]}";
    return HttpRequest.newBuilder(URI.create(ingress + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer tg-demo-key")
        .header("Content-Type", "application/json")
        .header("x-tiergate-mode", "code")
        .header("x-tiergate-session", "failover-" + (i % 24))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
