package dev.tiergate.bench;

import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.dispatcher.DispatcherService;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.LocalStack;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One dispatcher instance against the simulator at 200 ms (issue 4): routed requests are produced
 * faster than it can answer, and it must hold up to its in-flight limit (2,000) without growing
 * memory. Reports throughput, calls in flight (simulator calls minus responses seen) and heap. The
 * broker, simulator and dispatcher share one JVM, so heap figures are the whole process's.
 */
@Command(name = "dispatcher", mixinStandardHelpOptions = true,
    description = "One dispatcher, simulator at 200 ms, up to 2,000 calls in flight: throughput and heap.")
public final class DispatcherCommand implements Callable<Integer> {

  @Option(names = "--requests", defaultValue = "40000")
  int requests;

  @Option(names = "--in-flight", defaultValue = "2000")
  int inFlight;

  @Option(names = "--latency-ms", defaultValue = "200")
  long latencyMs;

  @Mixin ResultsOption results;

  @Override
  public Integer call() throws Exception {
    final Report report = results.open("dispatcher", String.format(Locale.ROOT,
        "benchmarks/run.sh dispatcher --requests %d --in-flight %d --latency-ms %d",
        requests, inFlight, latencyMs));
    try (LocalStack stack = LocalStack.start(Files.createTempDirectory("tiergate-dispatcher"));
        ProviderSimulator simulator = ProviderSimulator.start(
            SimulatorConfig.defaults().withLatency(Duration.ofMillis(latencyMs)))) {
      final KafkaSettings kafka = stack.kafkaSettings();
      DefaultRoutingTable.load().seed(kafka);
      SchemaWarmup.register(kafka);
      produce(kafka, requests);
      try (ResponseCounter responses = ResponseCounter.start(kafka);
          DispatcherService dispatcher = new DispatcherService(
              DispatcherConfig.fromEnv(env(kafka, simulator)), kafka.serdes());
          Gauges gauges = new Gauges(() -> simulator.totalCalls() - responses.count())) {
        final long start = System.nanoTime();
        dispatcher.start();
        responses.await(requests, Duration.ofMinutes(10));
        final double seconds = (System.nanoTime() - start) / 1e9;
        report.line(String.format(Locale.ROOT,
            "%d requests answered in %.1f s: **%.0f req/s**; calls in flight max %d, mean %.0f "
                + "(limit %d, simulator latency %d ms); heap max %d MiB, retained after GC %d MiB "
                + "(whole process: broker, simulator and dispatcher).",
            responses.count(), seconds, responses.count() / seconds, gauges.maxValue(),
            gauges.meanValue(), inFlight, latencyMs, gauges.maxHeapMiB(), gauges.retainedHeapMiB()));
      }
    }
    report.close();
    return 0;
  }

  private Map<String, String> env(final KafkaSettings kafka, final ProviderSimulator simulator) {
    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP_ENV, kafka.bootstrapServers());
    env.put(KafkaSettings.REGISTRY_ENV, kafka.schemaRegistryUrl());
    env.put("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", Integer.toString(inFlight));
    env.put("TIERGATE_DISPATCHER_MAX_CONNECTIONS", Integer.toString(inFlight + 64));
    env.put("TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_PROVIDER", Integer.toString(inFlight + 64));
    env.put("TIERGATE_PROVIDER_OPENAI_BASE_URL", simulator.baseUrl() + "/openai/v1");
    env.put("TIERGATE_PROVIDER_OPENAI_API_KEY", "sk-sim-bench");
    return env;
  }

  /** Produces the routed requests up front, as the router would have. */
  private static void produce(final KafkaSettings kafka, final int count) {
    final Map<String, Object> overrides = Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 131072);
    try (KafkaProducer<String, RoutedRequest> producer = new KafkaProducer<>(
        kafka.clientProperties(overrides), Topics.ROUTED.keySerde().serializer(),
        Topics.ROUTED.valueSerde(kafka.serdes()).serializer())) {
      for (int i = 0; i < count; i++) {
        final RoutedRequest routed = routed(i);
        final ProducerRecord<String, RoutedRequest> record = new ProducerRecord<>(
            Topics.ROUTED.name(), routed.getRequest().getSessionId(), routed);
        TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID,
            routed.getRequest().getCorrelationId());
        producer.send(record);
      }
      producer.flush();
    }
  }

  static RoutedRequest routed(final int i) {
    final Instant now = Instant.now();
    final ChatRequest request = ChatRequest.newBuilder()
        .setCorrelationId(String.format(Locale.ROOT, "req_bench%08d", i))
        .setSessionId("ses_bench" + (i % 512))
        .setTenant("demo")
        .setMode("code")
        .setTier("balanced")
        .setApiKind(ApiKind.OPENAI_CHAT)
        .setRequestedModel("auto/balanced")
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT)
                .setText("Rename the variable total to sum (" + i + ")").build())).build()))
        .setReceivedAt(now)
        .build();
    final RoutingDecision decision = RoutingDecision.newBuilder()
        .setModelChain(List.of("openai/gpt-5-mini"))
        .setTier("balanced")
        .setMode("code")
        .setRuleKey("balanced/code")
        .setReason("benchmark")
        .setRoutedAt(now)
        .build();
    return RoutedRequest.newBuilder().setRequest(request).setDecision(decision).build();
  }
}
