package dev.tiergate.launcher.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.launcher.batch.BatchCommand;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.stack.simulator.SimulatorConfig;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One trace per request across the bus, on the embedded stack: the four services run in this JVM,
 * so one in-memory SDK collects every span, and a request's spans must share one trace id from the
 * ingress through the router and the dispatcher's provider call to accounting.
 */
class TracingEndToEndTest {

  static final Set<String> SERVICES = Set.of(
      "tiergate-ingress", "tiergate-router", "tiergate-dispatcher", "tiergate-accounting");
  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  /** The simulator takes this long per reply: provider time the overhead header must leave out. */
  private static final Duration PROVIDER_LATENCY = Duration.ofMillis(250);
  private static final Duration SPANS_WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dataDir;
  @TempDir Path work;
  private static TiergateStack stack;
  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

  @BeforeAll
  static void startStack() {
    Tracing.install(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(SPANS))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build());
    stack = TiergateStack.start(
        new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(60))
            .withSimulator(SimulatorConfig.defaults().withLatency(PROVIDER_LATENCY)));
    await().atMost(Duration.ofMinutes(2))
        .untilAsserted(() -> assertThat(chat(Map.of(), false).statusCode()).isEqualTo(200));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    Tracing.install(OpenTelemetry.noop());
  }

  @Test
  void oneRequestIsOneTraceFromTheIngressThroughTheProviderCallToAccounting() throws Exception {
    final HttpResponse<String> reply = chat(Map.of("x-tiergate-mode", "plan"), false);

    assertThat(reply.statusCode()).isEqualTo(200);
    final String traceId = traceId(reply);
    final List<SpanData> trace = awaitTrace(traceId, SERVICES);
    assertConnected(trace, null);

    final SpanData server = only(trace, "tiergate-ingress", SpanKind.SERVER);
    assertThat(server.getName()).isEqualTo("POST /v1/chat/completions");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("tiergate.dialect"))).isEqualTo("openai");
    assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(only(trace, "tiergate-ingress", SpanKind.PRODUCER).getAttributes()
        .get(AttributeKey.stringKey("messaging.destination.name"))).isEqualTo("tiergate.requests");

    final SpanData route = named(trace, "route");
    assertThat(string(route, "tiergate.route.tier")).isEqualTo("frontier");
    assertThat(string(route, "tiergate.route.mode")).isEqualTo("plan");
    assertThat(string(route, "tiergate.route.mode_source")).isEqualTo("given");
    assertThat(string(route, "tiergate.route.rule")).isEqualTo("frontier/plan");
    assertThat(string(route, "tiergate.route.budget_action")).isEqualTo("none");

    final SpanData call = only(trace, "tiergate-dispatcher", SpanKind.CLIENT);
    // The demo table sends plan on the frontier tier to Claude: an Anthropic-format call.
    assertThat(call.getName()).isEqualTo("chat claude-sonnet-4-5");
    assertThat(string(call, "gen_ai.operation.name")).isEqualTo("chat");
    assertThat(string(call, "gen_ai.provider.name")).isEqualTo("anthropic");
    assertThat(string(call, "gen_ai.request.model")).isEqualTo("claude-sonnet-4-5");
    assertThat(string(call, "gen_ai.response.model")).isEqualTo("claude-sonnet-4-5");
    final long input = JSON.readTree(reply.body()).at("/usage/prompt_tokens").asLong();
    final long output = JSON.readTree(reply.body()).at("/usage/completion_tokens").asLong();
    assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(input);
    assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(output);
    assertThat(Duration.ofNanos(call.getEndEpochNanos() - call.getStartEpochNanos()))
        .isGreaterThanOrEqualTo(PROVIDER_LATENCY);

    final SpanData booked = only(trace, "tiergate-accounting", SpanKind.CONSUMER);
    assertThat(booked.getAttributes().get(AttributeKey.longKey("tiergate.cost_micros"))).isPositive();
    assertThat(booked.getAttributes().get(AttributeKey.booleanKey("tiergate.duplicate"))).isFalse();
  }

  @Test
  void honoursTheClientsTraceparent() throws Exception {
    final HttpResponse<String> reply = chat(
        Map.of("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01"), false);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(traceId(reply)).isEqualTo(CLIENT_TRACE);
    final List<SpanData> trace = awaitTrace(CLIENT_TRACE, SERVICES);
    assertConnected(trace, CLIENT_SPAN);
  }

  @Test
  void aStreamedRequestIsOneTraceToo() throws Exception {
    final HttpResponse<String> reply = chat(Map.of(), true);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.body()).contains("data: [DONE]");
    assertThat(reply.headers().firstValue("x-tiergate-overhead-ms")).isPresent();
    final List<SpanData> trace = awaitTrace(traceId(reply), SERVICES);
    assertConnected(trace, null);
    final SpanData call = only(trace, "tiergate-dispatcher", SpanKind.CLIENT);
    assertThat(call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isPositive();
  }

  @Test
  void aBatchItemIsOneTraceFromItsSendToAccounting() throws Exception {
    final Path file = work.resolve("one.jsonl");
    Files.writeString(file, "{\"custom_id\":\"traced-1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
        + "\"body\":{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Trace me\"}]}}\n",
        StandardCharsets.UTF_8);

    final StringWriter err = new StringWriter();
    final KafkaSettings kafka = stack.kafkaSettings();
    final int code = new CommandLine(new BatchCommand())
        .setOut(new PrintWriter(new StringWriter(), true))
        .setErr(new PrintWriter(err, true))
        .execute("submit", "--bootstrap-servers=" + kafka.bootstrapServers(),
            "--registry-url=" + kafka.schemaRegistryUrl(), file.toString(), "--wait",
            "--tenant", "demo", "--tier", "small", "--timeout-seconds", "120");
    assertThat(code).as(err.toString()).isZero();

    final SpanData send = await().atMost(SPANS_WAIT).until(
        () -> SPANS.getFinishedSpanItems().stream()
            .filter(span -> "tiergate-batch".equals(scope(span)))
            .findFirst().orElse(null),
        span -> span != null);
    final Set<String> lane = Set.of(
        "tiergate-batch", "tiergate-router", "tiergate-dispatcher", "tiergate-accounting");
    final List<SpanData> trace = awaitTrace(send.getTraceId(), lane);
    assertConnected(trace, null);
    assertThat(named(trace, "process tiergate.routed-batch").getKind()).isEqualTo(SpanKind.CONSUMER);
  }

  @Test
  void overheadHeaderLeavesOutTheProvidersOwnTime() throws Exception {
    final long started = System.nanoTime();
    final HttpResponse<String> reply = chat(Map.of(), false);
    final double elapsedMs = (System.nanoTime() - started) / 1e6;

    assertThat(reply.statusCode()).isEqualTo(200);
    final double overheadMs = Double.parseDouble(reply.headers().firstValue("x-tiergate-overhead-ms").orElseThrow());
    assertThat(overheadMs).isNotNegative();
    // The simulator alone took PROVIDER_LATENCY; the header must not count it.
    assertThat(overheadMs).isLessThan(elapsedMs - PROVIDER_LATENCY.toMillis() + 1);
  }

  @Test
  void errorRepliesCarryTheTraceAndTheOverheadToo() throws Exception {
    final HttpResponse<String> reply = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":"))
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.headers().firstValue("x-tiergate-overhead-ms")).isPresent();
    final SpanData server = await().atMost(SPANS_WAIT).until(
        () -> spans(traceId(reply)).stream().filter(span -> span.getKind() == SpanKind.SERVER)
            .findFirst().orElse(null),
        span -> span != null);
    assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(400L);
  }

  @Test
  void everyMetricTheGrafanaDashboardQueriesIsServed() throws Exception {
    assertThat(chat(Map.of(), false).statusCode()).isEqualTo(200);
    final List<String> endpoints = List.of(
        stack.ingressMetricsUrl(),
        stack.routerHealthUrl().orElseThrow().replace("/health", "/metrics"),
        stack.dispatcherMetricsUrl().orElseThrow(),
        stack.accountingMetricsUrl());
    final Set<String> queried = new TreeSet<>();
    GrafanaDashboard.expressions(GrafanaDashboard.dashboard())
        .forEach(expr -> queried.addAll(GrafanaDashboard.metricNames(expr)));

    // Accounting books the usage after its commit interval: scrape until its spend is there.
    await().atMost(SPANS_WAIT).untilAsserted(() -> {
      final Set<String> served = new TreeSet<>();
      for (final String endpoint : endpoints) {
        served.addAll(metricNames(get(endpoint)));
      }
      assertThat(served).as("metrics served").containsAll(queried);
    });
  }

  // ---- helpers

  private static String get(final String url) throws IOException, InterruptedException {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  /** The sample names of a Prometheus text exposition. */
  private static Set<String> metricNames(final String exposition) {
    return exposition.lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static HttpResponse<String> chat(final Map<String, String> headers, final boolean stream)
      throws IOException, InterruptedException {
    final ObjectNode body = JSON.createObjectNode().put("model", "auto/frontier").put("stream", stream);
    body.putArray("messages").addObject().put("role", "user").put("content", "Plan a refactor");
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(40))
            .header("Authorization", "Bearer tg-demo-key")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String traceId(final HttpResponse<String> reply) {
    final String traceparent = reply.headers().firstValue("traceparent").orElseThrow();
    // Flags: sampled (01), plus the random-trace-id bit (02) the SDK sets on the traces it starts.
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]");
    return traceparent.substring(3, 35);
  }

  private static List<SpanData> spans(final String traceId) {
    return SPANS.getFinishedSpanItems().stream()
        .filter(span -> span.getTraceId().equals(traceId))
        .toList();
  }

  /** The trace once every one of {@code scopes} has a span in it (accounting commits last). */
  private static List<SpanData> awaitTrace(final String traceId, final Set<String> scopes) {
    return await().atMost(SPANS_WAIT).until(
        () -> spans(traceId),
        trace -> trace.stream().map(TracingEndToEndTest::scope).collect(Collectors.toSet())
            .containsAll(scopes));
  }

  /**
   * One tree: exactly one span whose parent is outside the trace (the root: no parent, or the
   * client's span), every other span's parent is a span of the trace.
   */
  private static void assertConnected(final List<SpanData> trace, final String clientSpan) {
    final Set<String> ids = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
    final List<SpanData> roots = trace.stream()
        .filter(span -> !ids.contains(span.getParentSpanId()))
        .toList();
    assertThat(roots).as("roots of %s", trace).hasSize(1);
    if (clientSpan != null) {
      assertThat(roots.get(0).getParentSpanId()).isEqualTo(clientSpan);
    } else {
      assertThat(roots.get(0).getParentSpanContext().isValid()).isFalse();
    }
  }

  private static SpanData only(final List<SpanData> trace, final String scope, final SpanKind kind) {
    final List<SpanData> found = trace.stream()
        .filter(span -> scope.equals(scope(span)) && span.getKind() == kind)
        .toList();
    assertThat(found).as("%s %s spans in %s", scope, kind, trace).hasSize(1);
    return found.get(0);
  }

  private static SpanData named(final List<SpanData> trace, final String name) {
    return trace.stream().filter(span -> name.equals(span.getName())).findFirst().orElseThrow(
        () -> new AssertionError("no span " + name + " in " + trace));
  }

  private static String scope(final SpanData span) {
    return span.getInstrumentationScopeInfo().getName();
  }

  private static String string(final SpanData span, final String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }
}
