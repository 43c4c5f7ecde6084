package dev.tiergate.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher, running as its own JVM, is killed with SIGKILL in the middle of a batch and
 * started again: every request must still get exactly one response, and be charged once. The rest
 * of the pipeline runs in this process without a dispatcher of its own.
 */
class DispatcherKillTest {

  /**
   * The 10,000 (the whole class took 225 s at a load average of 25–35 on two cores);
   * {@code -Dtiergate.faults.batch=N} runs another size.
   */
  private static final int BATCH = Integer.getInteger("tiergate.faults.batch", 10_000);
  private static final int SESSIONS = 500;
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherKillTest.class);

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static ChildDispatcher dispatcher;
  private static KeyTally responses;
  private static KeyTally usage;
  private static String tenant;
  private static String virtualKey;
  private static int answeredBeforeKill;
  private static long accounted;

  @BeforeAll
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  static void killTheDispatcherDuringABatch() throws Exception {
    tenant = FaultSuite.uniqueId("tenant_kill_");
    virtualKey = FaultSuite.uniqueId("tg-fault-");
    stack =
        TiergateStack.start(
            FaultSuite.options(dataDir)
                .withoutInProcessDispatcher()
                .withServiceEnv(
                    Map.of(
                        "TIERGATE_VIRTUAL_KEYS",
                        "tg-demo-key=demo:balanced," + virtualKey + "=" + tenant + ":small")));
    final Map<String, String> env = new HashMap<>(stack.serviceEnv());
    // A batch is served at the same width as interactive work here: the test is about a kill.
    env.put("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT", "64");
    final String batchId = FaultSuite.uniqueId("batch_");
    final String prefix = FaultSuite.uniqueId("req_kill");
    // Kept under target/ (not the temp dir) so a failed run can be read afterwards.
    final Path log =
        Files.createDirectories(Path.of("target", "fault-suite")).resolve(prefix + "-dispatcher.log");
    responses = new KeyTally(stack.kafkaSettings(), Topics.RESPONSES.name(), prefix);
    usage = new KeyTally(stack.kafkaSettings(), Topics.USAGE.name(), prefix);

    dispatcher = ChildDispatcher.start(env, log);
    FaultSuite.warmUp(stack.ingressUrl());
    final List<ChatRequest> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      batch.add(FaultSuite.chatRequest(prefix + "_" + i, "sess_kill_" + (i % SESSIONS), tenant, batchId));
    }
    FaultSuite.produceRequests(stack.kafkaSettings(), batch);

    await().atMost(Duration.ofMinutes(4)).until(() -> responses.distinct() >= BATCH / 5);
    dispatcher.kill();
    answeredBeforeKill = responses.distinct();

    dispatcher = ChildDispatcher.start(env, log);
    await().atMost(Duration.ofMinutes(10)).until(() -> responses.distinct() >= BATCH);
    await().atMost(Duration.ofMinutes(1)).until(() -> usage.distinct() >= BATCH);
    // Accounting has caught up once it counted every usage record, duplicates included.
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              accounted = FaultSuite.accountedRequests(stack.accountingUrl(), tenant, virtualKey);
              return accounted >= usage.total();
            });
    LOG.info("batch {}: {} answered before the kill; after the restart {} answered, {} responses, "
        + "{} usage records, {} counted by accounting", BATCH, answeredBeforeKill,
        responses.distinct(), responses.total(), usage.total(), accounted);
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (dispatcher != null) {
      dispatcher.stop();
    }
    if (responses != null) {
      responses.close();
    }
    if (usage != null) {
      usage.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theKillLandedInTheMiddleOfTheBatch() {
    assertThat(answeredBeforeKill).isBetween(1, BATCH - 1);
  }

  @Test
  void everyRequestIsAnsweredAfterTheRestart() {
    assertThat(responses.distinct()).isEqualTo(BATCH);
  }

  @Test
  void noRequestIsAnsweredTwice() {
    assertThat(responses.duplicates()).isEmpty();
  }

  @Test
  void noRequestIsChargedTwice() {
    assertThat(usage.duplicates()).as("usage events per correlation id").isEmpty();
    assertThat(accounted).as("requests counted by accounting").isEqualTo(BATCH);
  }

  @Test
  void theDispatcherLogsNeverShowTheProviderKey() throws Exception {
    final String output = dispatcher.output();
    assertThat(output).contains("dispatcher started");
    assertThat(output).doesNotContain(TiergateStack.SIMULATED_PROVIDER_KEY);
  }
}
