package dev.tiergate.launcher.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.DispatcherFault;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.simulator.CallLedger;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatchers as separate processes against the embedded stack, with a provider that takes 20 s a
 * call: a dispatcher joins and another is stopped while every call is in flight, and a dispatcher
 * halts between writing a response and its usage. Each request must reach the provider once (twice
 * at most when a dispatcher died before committing), and be answered and billed exactly once, on
 * {@code tiergate.usage} itself (read_committed) and in {@code /v1/spend}.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DispatcherRebalanceBillingTest {

  private static final Logger LOG = LoggerFactory.getLogger(DispatcherRebalanceBillingTest.class);
  private static final Duration PROVIDER_LATENCY = Duration.ofSeconds(20);
  private static final int REBALANCE_REQUESTS = 200;
  private static final int HALT_REQUESTS = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static final String REBALANCE_TENANT = unique("tenant_rebalance_");
  private static final String REBALANCE_KEY = unique("tg-rebalance-");
  private static final String HALT_TENANT = unique("tenant_halt_");
  private static final String HALT_KEY = unique("tg-halt-");
  private final List<DispatcherProcess> dispatchers = new ArrayList<>();
  private final List<AutoCloseable> counts = new ArrayList<>();

  @BeforeAll
  static void startStack() {
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
                .withoutInProcessDispatcher()
                .withSimulator(SimulatorConfig.defaults().withLatency(PROVIDER_LATENCY))
                .withServiceEnv(
                    Map.of(
                        "TIERGATE_VIRTUAL_KEYS",
                        REBALANCE_KEY + "=" + REBALANCE_TENANT + ":small," + HALT_KEY + "=" + HALT_TENANT + ":small")));
  }

  @AfterEach
  void stopDispatchers() throws Exception {
    for (final DispatcherProcess dispatcher : dispatchers) {
      dispatcher.stop();
    }
    for (final AutoCloseable count : counts) {
      count.close();
    }
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aDispatcherJoiningAndAnotherStoppingMidFlightCallEachRequestOnceAndBillItOnce() throws Exception {
    final String prefix = unique("req_rebalance_");
    final KeyCounts responses = counted(Topics.RESPONSES.name(), prefix, true);
    final KeyCounts usage = counted(Topics.USAGE.name(), prefix, true);
    final DispatcherProcess first = start("rebalance-a", Map.of());
    final DispatcherProcess second = start("rebalance-b", Map.of());
    await().atMost(Duration.ofMinutes(2))
        .until(() -> first.output().contains("assigned [tiergate.") && second.output().contains("assigned [tiergate."));

    // Half interactive, half batch: the two topics' partitions, so both dispatchers have calls in
    // flight whichever partitions the group gave each.
    produce(requests(prefix, REBALANCE_REQUESTS, REBALANCE_TENANT));
    await().atMost(Duration.ofMinutes(2)).until(() -> callsStarted(prefix) >= REBALANCE_REQUESTS);
    final DispatcherProcess third = start("rebalance-c", Map.of());
    await().atMost(Duration.ofMinutes(1)).until(() -> third.output().contains("dispatcher started"));
    final long completedAtJoin = callsCompleted(prefix);
    // The group has moved partitions to the newcomer; now one of the first two goes away.
    await().atMost(Duration.ofMinutes(1)).until(() -> third.output().contains("assigned [tiergate."));
    final long completedAtStop = callsCompleted(prefix);
    final CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> stopQuietly(first));

    await().atMost(Duration.ofMinutes(3)).until(() -> usage.distinct() >= REBALANCE_REQUESTS
        && responses.distinct() >= REBALANCE_REQUESTS);
    stopped.get(2, TimeUnit.MINUTES);
    await().atMost(Duration.ofMinutes(2))
        .until(() -> accountedRequests(REBALANCE_TENANT, REBALANCE_KEY) >= REBALANCE_REQUESTS);
    LOG.info("rebalance: {} calls done when the third joined, {} when the first was stopped; {} responses, {} usage; "
        + "releases: {} | {}", completedAtJoin, completedAtStop, responses.total(), usage.total(),
        releases(first.output()), releases(second.output()));

    assertThat(completedAtJoin).as("calls finished when the third dispatcher joined").isLessThan(REBALANCE_REQUESTS);
    assertThat(usage.duplicates()).as("usage records per correlation id").isEmpty();
    assertThat(responses.duplicates()).as("responses per correlation id").isEmpty();
    assertThat(callsPerRequest(prefix)).as("provider calls per request").hasSize(REBALANCE_REQUESTS)
        .allSatisfy((id, calls) -> assertThat(calls).as(id).isEqualTo(1L));
    assertThat(usage.distinct()).isEqualTo(REBALANCE_REQUESTS);
    assertThat(accountedRequests(REBALANCE_TENANT, REBALANCE_KEY)).isEqualTo(REBALANCE_REQUESTS);
  }

  @Test
  void killBetweenResponseAndUsageIsBilledExactlyOnce() throws Exception {
    final String prefix = unique("req_halt_");
    final KeyCounts responses = counted(Topics.RESPONSES.name(), prefix, true);
    final KeyCounts written = counted(Topics.RESPONSES.name(), prefix, false);
    final KeyCounts usage = counted(Topics.USAGE.name(), prefix, true);
    final DispatcherProcess halting =
        start("halt", Map.of(DispatcherFault.ENV, "halt-after-response"));

    produce(requests(prefix, HALT_REQUESTS, HALT_TENANT));
    await().atMost(Duration.ofMinutes(2)).until(() -> !halting.isAlive());
    assertThat(halting.exitValue()).isEqualTo(DispatcherFault.HALT_STATUS);
    await().atMost(Duration.ofSeconds(30)).until(() -> written.total() >= 1);
    assertThat(usage.total()).as("usage committed by the halted dispatcher").isZero();

    // The same instance id: the restarted dispatcher fences its predecessor and aborts its
    // transaction, response included, then serves every request.
    start("halt", Map.of());
    await().atMost(Duration.ofMinutes(3)).until(() -> usage.distinct() >= HALT_REQUESTS
        && responses.distinct() >= HALT_REQUESTS);
    await().atMost(Duration.ofMinutes(2))
        .until(() -> accountedRequests(HALT_TENANT, HALT_KEY) >= HALT_REQUESTS);
    LOG.info("halt: {} responses written, {} committed, {} usage", written.total(), responses.total(), usage.total());

    assertThat(written.total()).as("responses written, aborted ones included").isGreaterThan(responses.total());
    assertThat(responses.duplicates()).as("committed responses per correlation id").isEmpty();
    assertThat(usage.duplicates()).as("usage records per correlation id").isEmpty();
    assertThat(usage.distinct()).isEqualTo(HALT_REQUESTS);
    assertThat(accountedRequests(HALT_TENANT, HALT_KEY)).isEqualTo(HALT_REQUESTS);
    assertThat(callsPerRequest(prefix)).hasSize(HALT_REQUESTS)
        .allSatisfy((id, calls) -> assertThat(calls).as(id).isBetween(1L, 2L));
  }

  private DispatcherProcess start(final String instanceId, final Map<String, String> extra) throws IOException {
    final Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("TIERGATE_DISPATCHER_INSTANCE_ID", instanceId);
    env.put("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "256");
    env.put("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT", "256");
    env.put("TIERGATE_DISPATCHER_MAX_BATCH_CONCURRENT_PER_PROVIDER", "256");
    // Longer than a call: a revoked partition's calls all finish before it is let go.
    env.put("TIERGATE_DISPATCHER_REVOKE_TIMEOUT_MS", "60000");
    env.put("TIERGATE_DISPATCHER_CLOSE_TIMEOUT_MS", "60000");
    env.put("TIERGATE_DISPATCHER_METRICS_PORT", "-1");
    env.putAll(extra);
    final Path log = Files.createDirectories(Path.of("target", "billing"))
        .resolve(instanceId + "-" + UUID.randomUUID().toString().substring(0, 8) + ".log");
    final DispatcherProcess process = DispatcherProcess.start(env, log);
    dispatchers.add(process);
    return process;
  }

  private static List<String> releases(final String output) {
    return output.lines().filter(line -> line.contains("released [")).map(line -> line.replaceAll(".*after", "after")).toList();
  }

  private KeyCounts counted(final String topic, final String prefix, final boolean committedOnly) {
    final KeyCounts tally = new KeyCounts(stack.kafkaSettings(), topic, prefix, committedOnly);
    counts.add(tally);
    return tally;
  }

  private static void stopQuietly(final DispatcherProcess dispatcher) {
    try {
      dispatcher.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, Long> callsPerRequest(final String prefix) {
    final Map<String, Long> calls = new HashMap<>();
    stack.simulator().ledger().snapshot().forEach((id, entry) -> {
      if (id.startsWith(prefix)) {
        calls.put(id, entry.started());
      }
    });
    return calls;
  }

  private static long callsStarted(final String prefix) {
    return ledger(prefix).stream().mapToLong(CallLedger.Entry::started).sum();
  }

  private static long callsCompleted(final String prefix) {
    return ledger(prefix).stream().mapToLong(CallLedger.Entry::completed).sum();
  }

  private static List<CallLedger.Entry> ledger(final String prefix) {
    return stack.simulator().ledger().snapshot().values().stream()
        .filter(entry -> entry.requestId().startsWith(prefix))
        .toList();
  }

  /**
   * Requests as the ingress and the batch producer write them, every other one a batch item, each
   * in its own session (spread over partitions).
   */
  private static List<ChatRequest> requests(final String prefix, final int count, final String tenant) {
    final List<ChatRequest> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      final String id = prefix + i;
      requests.add(
          ChatRequest.newBuilder()
              .setCorrelationId(id)
              .setSessionId("sess_" + id)
              .setTenant(tenant)
              .setMode("summary")
              .setTier("small")
              .setApiKind(i % 2 == 0 ? ApiKind.OPENAI_CHAT : ApiKind.BATCH)
              .setBatchId(i % 2 == 0 ? null : prefix + "batch")
              .setBatchItemId(i % 2 == 0 ? null : id)
              .setRequestedModel("auto/small")
              .setMessages(List.of(Message.newBuilder()
                  .setRole("user")
                  .setParts(List.of(ContentPart.newBuilder().setType(PartType.TEXT).setText("Summarise " + id).build()))
                  .build()))
              .setSampling(SamplingParams.newBuilder().build())
              .setReceivedAt(Instant.now())
              .build());
    }
    return requests;
  }

  private static void produce(final List<ChatRequest> requests) throws Exception {
    final KafkaSettings kafka = stack.kafkaSettings();
    try (KafkaProducer<String, ChatRequest> producer =
        new KafkaProducer<>(
            kafka.clientProperties(Map.of("acks", "all", "linger.ms", 5)),
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde(kafka.serdes()).serializer())) {
      final List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (final ChatRequest request : requests) {
        final ProducerRecord<String, ChatRequest> record =
            new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request);
        TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, request.getCorrelationId());
        acks.add(producer.send(record));
      }
      for (final Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    }
  }

  /** The tenant's requests counted by accounting (by mode, total window); -1 if unavailable. */
  private static long accountedRequests(final String tenant, final String virtualKey)
      throws IOException, InterruptedException {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/v1/spend?tenant=" + tenant + "&by=mode"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + virtualKey)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return -1;
    }
    long requests = 0;
    for (final JsonNode row : JSON.readTree(response.body()).get("rows")) {
      requests += row.get("requests").asLong();
    }
    return requests;
  }

  private static String unique(final String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }
}
