package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.routed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.stack.EmbeddedKafka;
import dev.tiergate.stack.FreePorts;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher service against a real embedded broker and the provider simulator speaking
 * Anthropic and Gemini: a provider failing 30% of calls, an endpoint that is down, and a dispatcher
 * stopped mid-load without committing, then restarted. Each test has its own consumer group,
 * simulator and correlation ids; requests of earlier tests are on the topic too and, being
 * answered already, are skipped.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DispatcherFaultsTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final SerdeFactory SERDES = SerdeFactory.schemaless();

  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      new TopicProvisioner(admin).provision(List.of(Topics.ROUTED, Topics.ROUTED_BATCH, Topics.RESPONSES,
          Topics.RESPONSE_CHUNKS, Topics.USAGE, Topics.MODELS, Topics.ROUTED_DLQ, Topics.ROUTED_BATCH_DLQ));
    }
    producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
        new StringSerializer(), new ByteArraySerializer());
    // The dispatcher calls only models its catalogue lists; each test's dispatcher reads these at start.
    final List<String> models = new ArrayList<>(List.of("anthropic/claude-flaky", "google/gemini-flaky",
        "down/gpt-x", "google/gemini-backup", "anthropic/claude-metrics"));
    for (int i = 0; i < 150; i++) {
      models.add("anthropic/claude-kill-" + i);
    }
    models.forEach(DispatcherFaultsTest::list);
    producer.flush();
  }

  private static void list(final String id) {
    final String upstream = id.substring(id.indexOf('/') + 1);
    final ModelSpec spec = ModelSpec.newBuilder().setId(id).setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(upstream).setFamily(upstream.startsWith("claude") ? "claude" : "gemini")
        .setInputMicrosPerMillion(1).setOutputMicrosPerMillion(1).setContextWindow(100_000).build();
    producer.send(new ProducerRecord<>(Topics.MODELS.name(), id,
        Topics.MODELS.valueSerde(SERDES).serializer().serialize(Topics.MODELS.name(), spec)));
  }

  @AfterAll
  static void stopBroker() {
    if (producer != null) {
      producer.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void withThirtyPercentOfCallsFailingEveryRequestEndsInExactlyOneResponse() {
    try (ProviderSimulator sim = ProviderSimulator.start(
            SimulatorConfig.defaults().withFailures(0.3, 0.5, 21L).withRetryAfter(Duration.ofMillis(20)));
        DispatcherService dispatcher = new DispatcherService(config(sim, Map.of("TIERGATE_DISPATCHER_MAX_RETRIES", "3")), SERDES)) {
      dispatcher.start();
      final String prefix = unique("req_flaky");
      final List<String> ids = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        final String id = prefix + "_" + i;
        ids.add(id);
        final boolean stream = i % 3 == 0;
        send(routed(chat(id).setStream(stream).build(), "anthropic/claude-flaky", "google/gemini-flaky"));
      }

      final Map<String, List<ChatResponse>> responses = awaitResponses(ids);

      assertThat(responses.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      final List<ChatResponse> all = responses.values().stream().map(list -> list.get(0)).toList();
      final long served = all.stream().filter(r -> r.getError() == null).count();
      assertThat(served).isGreaterThanOrEqualTo(115);
      assertThat(all).filteredOn(r -> r.getError() != null)
          .allSatisfy(r -> assertThat(r.getError().getType()).isIn("rate_limited", "provider_error"));
      final Map<String, List<UsageEvent>> usage = read(Topics.USAGE, Set.copyOf(ids));
      assertThat(usage.values()).allSatisfy(list -> assertThat(list).hasSize(1));
      assertThat(usage).hasSize((int) served);
      assertThat(sim.totalCalls()).isGreaterThan(120);
    }
  }

  @Test
  void whenOneEndpointIsDownRequestsGoToTheNextModelAndItsBreakerOpens() {
    try (ProviderSimulator sim = ProviderSimulator.start(SimulatorConfig.defaults());
        DispatcherService dispatcher = new DispatcherService(config(sim, Map.of(
            "TIERGATE_PROVIDER_DOWN_BASE_URL", "http://127.0.0.1:" + closedPort() + "/v1",
            "TIERGATE_DISPATCHER_BREAKER_MINIMUM_CALLS", "5",
            "TIERGATE_DISPATCHER_BREAKER_WINDOW", "5")), SERDES)) {
      dispatcher.start();
      final String prefix = unique("req_down");
      final List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add(prefix + "_" + i);
        send(routed(ids.get(i), "down/gpt-x", "google/gemini-backup"));
      }

      final Map<String, List<ChatResponse>> responses = awaitResponses(ids);

      assertThat(responses.values()).allSatisfy(list -> assertThat(list).singleElement().satisfies(r -> {
        assertThat(r.getError()).isNull();
        assertThat(r.getModel()).isEqualTo("google/gemini-backup");
      }));
      assertThat(sim.calls("gemini-backup")).isEqualTo(40);
      assertThat(dispatcher.guards().state("down")).isEqualTo(CircuitBreaker.State.OPEN);
    }
  }

  @Test
  void stoppedMidLoadWithoutCommittingAndRestartedItLosesNothingAndRecallsNoAnsweredRequest() {
    final String group = unique("tiergate-dispatcher-kill");
    final String prefix = unique("req_kill");
    final int count = 150;
    final List<String> ids = new ArrayList<>();
    try (ProviderSimulator sim = ProviderSimulator.start(SimulatorConfig.defaults().withLatency(Duration.ofMillis(300)))) {
      final Map<String, String> env = new HashMap<>(Map.of(
          "TIERGATE_DISPATCHER_GROUP_ID", group,
          "TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "20",
          "TIERGATE_DISPATCHER_CLOSE_TIMEOUT_MS", "1"));
      final DispatcherService first =
          new DispatcherService(config(sim, env), SERDES, NeverCommittingConsumer::new);
      first.start();
      for (int i = 0; i < count; i++) {
        final String id = prefix + "_" + i;
        ids.add(id);
        // One upstream model per request, so the simulator counts the calls of each request.
        send(routed(id, "anthropic/claude-kill-" + i));
      }
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
          .until(() -> read(Topics.RESPONSES, Set.copyOf(ids)).size() >= count / 3);
      first.close();
      final Set<String> answeredBeforeStop = read(Topics.RESPONSES, Set.copyOf(ids)).keySet();
      assertThat(answeredBeforeStop).hasSizeLessThan(count);

      try (DispatcherService second = new DispatcherService(config(sim, env), SERDES)) {
        second.start();
        final Map<String, List<ChatResponse>> responses = awaitResponses(ids);

        assertThat(responses.values()).allSatisfy(list -> assertThat(list).hasSize(1));
        for (int i = 0; i < count; i++) {
          final long calls = sim.calls("claude-kill-" + i);
          if (answeredBeforeStop.contains(ids.get(i))) {
            assertThat(calls).as("calls of answered %s", ids.get(i)).isEqualTo(1);
          } else {
            assertThat(calls).as("calls of %s", ids.get(i)).isBetween(1L, 2L);
          }
        }
      }
    }
  }

  @Test
  void metricsEndpointShowsCallsLatencyRetriesFallbacksBreakerLanesAndLag() throws Exception {
    try (ProviderSimulator sim = ProviderSimulator.start(SimulatorConfig.defaults());
        DispatcherService dispatcher = new DispatcherService(config(sim, Map.of(
            "TIERGATE_PROVIDER_DOWN_BASE_URL", "http://127.0.0.1:" + closedPort() + "/v1",
            "TIERGATE_DISPATCHER_MAX_RETRIES", "1",
            DispatcherConfig.METRICS_PORT.name(), "0")), SERDES)) {
      dispatcher.start();
      final String prefix = unique("req_metrics");
      final List<String> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ids.add(prefix + "_" + i);
        send(routed(chat(ids.get(i)).setBatchId(null).setBatchItemId(null).build(),
            "down/gpt-x", "anthropic/claude-metrics"));
      }
      final String batchItem = prefix + "_batch";
      ids.add(batchItem);
      send(Topics.ROUTED_BATCH, routed(chat(batchItem).setBatchId("batch_metrics").build(), "anthropic/claude-metrics"));
      awaitResponses(ids);
      final String url = "http://127.0.0.1:" + dispatcher.metricsPort() + "/metrics";

      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        final String text = scrape(url);
        assertThat(sample(text, "tiergate_dispatcher_provider_calls_total", "model=\"anthropic/claude-metrics\"",
            "outcome=\"ok\"")).isEqualTo(7);
        assertThat(sample(text, "tiergate_dispatcher_provider_calls_total", "model=\"down/gpt-x\"",
            "outcome=\"connection\"")).isPositive();
        assertThat(sample(text, "tiergate_dispatcher_provider_latency_seconds_count",
            "model=\"anthropic/claude-metrics\"")).isEqualTo(7);
        assertThat(sample(text, "tiergate_dispatcher_provider_latency_seconds_bucket",
            "model=\"anthropic/claude-metrics\"", "le=\"+Inf\"")).isEqualTo(7);
        assertThat(sample(text, "tiergate_dispatcher_retries_total", "model=\"down/gpt-x\"")).isPositive();
        assertThat(sample(text, "tiergate_dispatcher_fallbacks_total", "model=\"down/gpt-x\"")).isEqualTo(6);
        assertThat(sample(text, "tiergate_dispatcher_requests_total", "outcome=\"served\"",
            "lane=\"batch\"")).isEqualTo(1);
        assertThat(sample(text, "tiergate_dispatcher_requests_total", "outcome=\"served\"",
            "lane=\"interactive\"")).isEqualTo(6);
        assertThat(sample(text, "tiergate_dispatcher_circuit_state", "provider=\"anthropic\"",
            "state=\"closed\"")).isEqualTo(1);
        assertThat(text).contains("tiergate_dispatcher_in_flight{lane=\"batch\"}",
            "tiergate_dispatcher_in_flight{lane=\"interactive\"}");
        assertThat(text).containsPattern("kafka_consumer_fetch_manager_records_lag\\{[^}]*partition=\"\\d+\"[^}]*"
            + "topic=\"tiergate\\.routed\"");
      });
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String scrape(final String url) throws Exception {
    final java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The sum of the samples of one metric whose labels contain every given {@code name="value"}. */
  private static double sample(final String text, final String metric, final String... labels) {
    return text.lines()
        .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
        .filter(line -> java.util.Arrays.stream(labels).allMatch(line::contains))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static DispatcherConfig config(final ProviderSimulator sim, final Map<String, String> extra) {
    final Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", "http://127.0.0.1:1");
    env.put("TIERGATE_DISPATCHER_GROUP_ID", unique("tiergate-dispatcher"));
    env.put("TIERGATE_DISPATCHER_RETRY_BACKOFF_MS", "10");
    env.put("TIERGATE_DISPATCHER_RETRY_MAX_BACKOFF_MS", "40");
    env.put("TIERGATE_DISPATCHER_CONNECT_TIMEOUT_MS", "1000");
    env.put("TIERGATE_PROVIDER_ANTHROPIC_BASE_URL", sim.baseUrl() + "/anthropic/v1");
    env.put("TIERGATE_PROVIDER_ANTHROPIC_API_KEY", "sk-ant-sim-0000");
    env.put("TIERGATE_PROVIDER_GOOGLE_BASE_URL", sim.baseUrl() + "/google/v1beta");
    env.put("TIERGATE_PROVIDER_GOOGLE_API_KEY", "AIza-sim-0000");
    env.putAll(extra);
    return DispatcherConfig.fromEnv(env);
  }

  private static void send(final RoutedRequest routed) {
    send(Topics.ROUTED, routed);
  }

  private static void send(final Topic<RoutedRequest> topic, final RoutedRequest routed) {
    final String id = routed.getRequest().getCorrelationId();
    producer.send(new ProducerRecord<>(topic.name(), id,
        topic.valueSerde(SERDES).serializer().serialize(topic.name(), routed)));
  }

  private static Map<String, List<ChatResponse>> awaitResponses(final List<String> ids) {
    final Set<String> wanted = Set.copyOf(ids);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
        .until(() -> read(Topics.RESPONSES, wanted).size() == wanted.size());
    return read(Topics.RESPONSES, wanted);
  }

  /** Every value on a topic whose key is one of the ids, grouped by key. */
  private static <V> Map<String, List<V>> read(final Topic<V> topic, final Set<String> ids) {
    final Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    // What accounting and the ingress see: committed transactions only.
    props.put("isolation.level", "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
          .map(info -> new TopicPartition(topic.name(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      final Map<String, List<V>> byKey = new HashMap<>();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (ids.contains(record.key())) {
            byKey.computeIfAbsent(record.key(), k -> new ArrayList<>())
                .add(topic.valueSerde(SERDES).deserializer().deserialize(topic.name(), record.value()));
          }
        });
      }
      return byKey;
    }
  }

  private static String unique(final String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A consumer that never commits: stopping it is like a crash right after the responses went out. */
  private static final class NeverCommittingConsumer extends KafkaConsumer<String, byte[]> {
    NeverCommittingConsumer(final Properties properties) {
      super(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void commitSync(final Map<TopicPartition, OffsetAndMetadata> offsets) {
      // Deliberately lost.
    }

    @Override
    public void commitAsync(
        final Map<TopicPartition, OffsetAndMetadata> offsets, final OffsetCommitCallback callback) {
      // Deliberately lost.
    }
  }

  /** A loopback port nothing listens on: connections to it are refused. */
  private static int closedPort() {
    return FreePorts.pick();
  }
}
