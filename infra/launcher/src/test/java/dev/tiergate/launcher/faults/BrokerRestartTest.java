package dev.tiergate.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.FreePorts;
import dev.tiergate.stack.SchemaRegistryProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker is stopped under a steady load and started again on the same ports and data: while it
 * is down the ingress must refuse new requests with 503 rather than hold them until they time out,
 * afterwards the pipeline must recover by itself, and no request answered 200 may be missing from
 * the usage record.
 */
class BrokerRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartTest.class);
  private static final int LOAD_THREADS = 4;
  private static final int PROBES = 4;

  @TempDir static Path dataDir;
  private static RestartableBroker broker;
  private static SchemaRegistryProcess registry;
  private static TiergateStack stack;
  private static final List<Outcome> load = new CopyOnWriteArrayList<>();
  private static final List<Outcome> probes = new CopyOnWriteArrayList<>();
  private static int firstStatusAfterRestart;

  /** @param requestId the x-tiergate-request-id of the answer, if any */
  private record Outcome(int status, long millis, String requestId) {}

  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  static void restartTheBrokerUnderLoad() throws Exception {
    broker = new RestartableBroker(dataDir.resolve("kafka"), FreePorts.pick(), FreePorts.pick());
    broker.start();
    registry = SchemaRegistryProcess.start(dataDir.resolve("schema-registry"));
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(20))
                .withExternalCluster(KafkaSettings.of(broker.bootstrapServers(), registry.url())));
    FaultSuite.warmUp(stack.ingressUrl());

    final AtomicBoolean loading = new AtomicBoolean(true);
    final List<CompletableFuture<Void>> loaders = new ArrayList<>();
    for (int i = 0; i < LOAD_THREADS; i++) {
      loaders.add(CompletableFuture.runAsync(() -> {
        while (loading.get()) {
          load.add(send("steady load"));
        }
      }));
    }
    await().atMost(Duration.ofMinutes(1)).until(() -> successes(load) >= 20);

    broker.stop();
    final List<CompletableFuture<Void>> probing = new ArrayList<>();
    for (int i = 0; i < PROBES; i++) {
      probing.add(CompletableFuture.runAsync(() -> probes.add(send("while the broker is down"))));
    }
    // Down until every probe is answered, or for at most the reply timeout plus a margin: probes
    // still open then see the broker come back under them, and the assertions say so.
    CompletableFuture.allOf(probing.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, 30, TimeUnit.SECONDS)
        .join();
    broker.start();

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> (firstStatusAfterRestart = send("after the restart").status()) == 200);
    loading.set(false);
    CompletableFuture.allOf(loaders.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    CompletableFuture.allOf(probing.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
    LOG.info("probes while the broker was down (status, ms, id): {}", probes);
    LOG.info("load: {} requests, {} answered 200", load.size(), successes(load));
  }

  @AfterAll
  static void stopAll() {
    if (stack != null) {
      stack.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void refusesRequestsWith503WhileTheBrokerIsDown() {
    assertThat(probes).hasSize(PROBES);
    assertThat(probes)
        .as("probes sent while the broker was down (status, ms): %s", probes)
        .allSatisfy(probe -> assertThat(probe.status()).isEqualTo(503));
  }

  @Test
  void recoversByItselfAfterTheRestart() {
    assertThat(firstStatusAfterRestart).isEqualTo(200);
  }

  @Test
  void noRequestAnswered200IsMissingFromUsage() {
    final List<String> accepted =
        load.stream().filter(o -> o.status() == 200).map(Outcome::requestId).toList();
    assertThat(accepted).hasSizeGreaterThan(20).doesNotContainNull();
    final var usageKeys =
        TopicScan.readAll(stack.kafkaSettings(), Topics.USAGE.name()).stream()
            .map(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))
            .collect(java.util.stream.Collectors.toSet());
    assertThat(usageKeys).containsAll(accepted);
  }

  private static Outcome send(final String prompt) {
    final long start = System.nanoTime();
    try {
      final HttpResponse<String> response =
          FaultSuite.HTTP.send(
              FaultSuite.chatRequest(stack.ingressUrl(), "summary", prompt),
              HttpResponse.BodyHandlers.ofString());
      return new Outcome(
          response.statusCode(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          response.headers().firstValue("x-tiergate-request-id").orElse(null));
    } catch (IOException e) {
      return new Outcome(-1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-2, 0, null);
    }
  }

  private static long successes(final List<Outcome> outcomes) {
    return outcomes.stream().filter(o -> o.status() == 200).count();
  }
}
