package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.model;
import static dev.tiergate.accounting.TestData.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query API against a real spend store, filled by the topology in a TopologyTestDriver. */
class AccountingHttpServerTest {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final String GPT = "openai/gpt-5";

  @TempDir Path stateDir;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicReference<KafkaStreams.State> state =
      new AtomicReference<>(KafkaStreams.State.RUNNING);
  private TopologyTestDriver driver;
  private DriverStores stores;
  private AccountingMetrics metrics;
  private AccountingHttpServer server;

  @BeforeEach
  void start() {
    final AccountingConfig config = TestData.config(stateDir);
    driver = new TopologyTestDriver(
        AccountingTopology.build(SERDES, config), config.streamsProperties());
    driver.createInputTopic(Topics.MODELS.name(), new StringSerializer(),
            Topics.MODELS.valueSerde(SERDES).serializer())
        .pipeInput(GPT, model(GPT, 1_250_000, 125_000, 10_000_000));
    stores = new DriverStores(driver);
    metrics = new AccountingMetrics();
    final VirtualKeyTable keys = VirtualKeyTable.of(
        "key-t=t:balanced,key-other=other:small", hash -> stores.virtualKeys().get(hash));
    server = new AccountingHttpServer(
            new AccountingHttpServer.Sources(stores, QueryRouter.localOnly(), keys, state::get),
            Clock.fixed(TestData.AT, ZoneOffset.UTC), metrics)
        .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
    driver.close();
  }

  @Test
  void answersSpendPerModeAsJson() throws Exception {
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));
    send(event("req_2", "t", "plan", GPT, usage(3, 0, 1, 0)));
    send(event("req_3", "t", "code", GPT, usage(100, 0, 10, 0)));
    send(event("req_4", "other", "plan", GPT, usage(1_000_000, 0, 0, 0)));

    final HttpResponse<String> response = get("/v1/spend?tenant=t&by=mode");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    final JsonNode body = json.readTree(response.body());
    assertThat(body.get("tenant").asText()).isEqualTo("t");
    assertThat(body.get("by").asText()).isEqualTo("mode");
    assertThat(body.get("rows")).hasSize(2);
    final JsonNode code = body.get("rows").get(0);
    assertThat(code.get("value").asText()).isEqualTo("code");
    assertThat(code.get("costMicros").asLong()).isEqualTo(225);
    final JsonNode plan = body.get("rows").get(1);
    assertThat(plan.get("value").asText()).isEqualTo("plan");
    assertThat(plan.get("requests").asLong()).isEqualTo(2);
    assertThat(plan.get("inputTokens").asLong()).isEqualTo(1_003);
    assertThat(plan.get("outputTokens").asLong()).isEqualTo(201);
    assertThat(plan.get("cachedInputTokens").asLong()).isEqualTo(400);
    assertThat(plan.get("reasoningTokens").asLong()).isEqualTo(50);
    assertThat(plan.get("costMicros").asLong()).isEqualTo(2_814);
    assertThat(plan.get("costUsd").asText()).isEqualTo("0.002814");
    assertThat(body.get("totalMicros").asLong()).isEqualTo(3_039);
    assertThat(body.get("totalUsd").asText()).isEqualTo("0.003039");
  }

  @Test
  void answersOtherDimensions() throws Exception {
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));

    final JsonNode body = json.readTree(get("/v1/spend?tenant=t&by=model").body());

    assertThat(body.get("rows").get(0).get("value").asText()).isEqualTo(GPT);
    assertThat(body.get("totalMicros").asLong()).isEqualTo(2_800);
  }

  @Test
  void answersSpendPerSessionParentSessionAndProject() throws Exception {
    send(UsageEvent.newBuilder(event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)))
        .setSessionId("task-a").setParentSessionId("task-root").setProjectId("proj-x").build());
    send(UsageEvent.newBuilder(event("req_2", "t", "code", GPT, usage(0, 0, 200, 0)))
        .setSessionId("task-b").setParentSessionId("task-root").setProjectId("proj-x").build());

    final JsonNode sessions = json.readTree(get("/v1/spend?by=session").body());
    assertThat(sessions.get("by").asText()).isEqualTo("session");
    assertThat(sessions.get("rows")).hasSize(2);
    assertThat(sessions.get("rows").get(0).get("value").asText()).isEqualTo("task-a");
    assertThat(sessions.get("rows").get(0).get("costMicros").asLong()).isEqualTo(1_000);
    final JsonNode parent = json.readTree(get("/v1/spend?by=parent_session&window=day").body());
    assertThat(parent.get("rows").get(0).get("value").asText()).isEqualTo("task-root");
    assertThat(parent.get("rows").get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(parent.get("totalMicros").asLong()).isEqualTo(3_000);
    final JsonNode project = json.readTree(get("/v1/spend?by=project&window=hour").body());
    assertThat(project.get("rows").get(0).get("value").asText()).isEqualTo("proj-x");
    assertThat(project.get("totalMicros").asLong()).isEqualTo(3_000);
  }

  @Test
  void rejectsAWindowADimensionIsNotKeptInWith400() throws Exception {
    final HttpResponse<String> hourly = get("/v1/spend?by=session&window=hour");
    assertThat(hourly.statusCode()).isEqualTo(400);
    assertThat(json.readTree(hourly.body()).at("/error/message").asText())
        .contains("day, total");
    assertThat(get("/v1/spend/series?by=parent_session&window=month").statusCode())
        .isEqualTo(400);
    assertThat(get("/v1/spend/series?by=session&buckets=2").statusCode()).isEqualTo(200);
  }

  @Test
  void answersAnEmptyReportForATenantWithoutSpend() throws Exception {
    final HttpResponse<String> response = get("/v1/spend", "key-other");

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = json.readTree(response.body());
    assertThat(body.get("rows")).isEmpty();
    assertThat(body.get("totalMicros").asLong()).isZero();
  }

  @Test
  void takesTheTenantFromTheKeyWhenNoneIsAsked() throws Exception {
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));

    final JsonNode body = json.readTree(get("/v1/spend?by=mode").body());

    assertThat(body.get("tenant").asText()).isEqualTo("t");
    assertThat(body.get("totalMicros").asLong()).isEqualTo(2_800);
  }

  @Test
  void rejectsAMissingOrUnknownKeyWith401() throws Exception {
    assertThat(get("/v1/spend?tenant=t", null).statusCode()).isEqualTo(401);
    assertThat(get("/v1/spend?tenant=t", "not-a-key").statusCode()).isEqualTo(401);
    assertThat(get("/v1/budgets", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aKeySeesOnlyItsOwnTenant() throws Exception {
    send(event("req_1", "other", "plan", GPT, usage(1_000_000, 0, 0, 0)));

    final HttpResponse<String> response = get("/v1/spend?tenant=other");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).doesNotContain("1250000");
    assertThat(json.readTree(get("/v1/spend", "key-other").body()).get("totalMicros").asLong())
        .isEqualTo(1_250_000);
  }

  @Test
  void rejectsAnUnknownDimensionWith400() throws Exception {
    assertThat(get("/v1/spend?tenant=t&by=colour").statusCode()).isEqualTo(400);
  }

  @Test
  void answers503WhileTheStoreIsUnavailable() throws Exception {
    stores.unavailable.set("accounting stream is REBALANCING");

    final HttpResponse<String> response = get("/v1/spend?tenant=t");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json.readTree(response.body()).at("/error/message").asText())
        .isEqualTo("accounting stream is REBALANCING");
  }

  @Test
  void answersASeriesOfHourlyBucketsWithTheCounterfactual() throws Exception {
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));

    final HttpResponse<String> response =
        get("/v1/spend/series?by=mode&window=hour&buckets=3&at=2025-06-01T12:30:00Z");

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = json.readTree(response.body());
    assertThat(body.get("window").asText()).isEqualTo("hour");
    assertThat(body.get("buckets")).hasSize(1);
    assertThat(body.at("/buckets/0/start").asText()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(body.at("/buckets/0/rows/0/value").asText()).isEqualTo("plan");
    assertThat(body.at("/buckets/0/rows/0/costMicros").asLong()).isEqualTo(2_800);
    assertThat(body.at("/buckets/0/rows/0/counterfactualMicros").asLong()).isEqualTo(2_800);
    assertThat(get("/v1/spend/series?window=total").statusCode()).isEqualTo(400);
    assertThat(get("/v1/spend/series?buckets=0").statusCode()).isEqualTo(400);
  }

  @Test
  void answersBudgetsWithTheirSpendThisPeriod() throws Exception {
    driver.createInputTopic(Topics.BUDGETS.name(), new StringSerializer(),
            Topics.BUDGETS.valueSerde(SERDES).serializer())
        .pipeInput("b_t", TopologyFixture.budget("b_t", "t", null,
            dev.tiergate.schemas.BudgetPeriod.MONTH, 5_600, dev.tiergate.schemas.BudgetAction.REJECT));
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));

    final JsonNode body = json.readTree(get("/v1/budgets").body());

    assertThat(body.at("/budgets/0/budgetId").asText()).isEqualTo("b_t");
    assertThat(body.at("/budgets/0/spentMicros").asLong()).isEqualTo(2_800);
    assertThat(body.at("/budgets/0/percent").asLong()).isEqualTo(50);
    assertThat(body.at("/budgets/0/exhausted").asBoolean()).isFalse();
    assertThat(json.readTree(get("/v1/budgets", "key-other").body()).get("budgets")).isEmpty();
  }

  @Test
  void countsRequestsPerRouteAndStatusInPrometheusMetrics() throws Exception {
    get("/v1/spend");
    get("/v1/spend", null);

    assertThat(get("/metrics", null).statusCode()).as("not on the public API port").isEqualTo(404);
    final HttpResponse<String> metrics;
    try (OpsServer ops = OpsServer.start("accounting", "127.0.0.1", 0, this.metrics::scrape,
        () -> AccountingService.healthOf(state.get()))) {
      metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString());
    }

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("tiergate_accounting_http_requests_seconds_count{route=\"spend\",service=\"accounting\",status=\"200\"} 1")
        .contains("tiergate_accounting_http_requests_seconds_count{route=\"spend\",service=\"accounting\",status=\"401\"} 1");
  }

  @Test
  void opsHealthIsUpOnlyWhileRunning() {
    assertThat(AccountingService.healthOf(KafkaStreams.State.RUNNING).up()).isTrue();
    assertThat(AccountingService.healthOf(KafkaStreams.State.REBALANCING))
        .isEqualTo(new OpsServer.Health(false, "REBALANCING"));
  }

  @Test
  void healthFollowsTheStreamsState() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);

    state.set(KafkaStreams.State.REBALANCING);

    final HttpResponse<String> response = get("/health");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json.readTree(response.body()).get("status").asText()).isEqualTo("REBALANCING");
  }

  /**
   * A keep-alive request that arrives while the one before is still finishing is queued by the
   * server; once the queue drained, the connection must read again. Reactor Netty 1.3.7 left it
   * unread (reactor/reactor-netty#4361): the next request sat in the socket and its client waited
   * forever (a CI run hung 16 minutes in DashboardBrowserTest on the dashboard's connection).
   */
  @Test
  void keepsReadingAKeepAliveConnectionAfterAQueuedRequest() throws Exception {
    for (int round = 0; round < 20; round++) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(5_000);
        final OutputStream out = socket.getOutputStream();
        final InputStream in = new BufferedInputStream(socket.getInputStream());
        // The spend query answers off the event loop; the page behind it answers at once.
        out.write((rawGet("/v1/spend", "key-t") + rawGet("/dashboard", null))
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readStatus(in)).as("round %d, first", round).isEqualTo(200);
        assertThat(readStatus(in)).as("round %d, queued", round).isEqualTo(200);

        out.write(rawGet("/v1/spend/series", null).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readStatus(in)).as("round %d, after the queue drained", round).isEqualTo(401);
      }
    }
  }

  private static String rawGet(final String path, final String key) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "\r\n";
  }

  /** Reads one response (status line, headers, a Content-Length body) and returns its status. */
  private static int readStatus(final InputStream in) throws IOException {
    final int status = Integer.parseInt(readLine(in).split(" ")[1]);
    int length = 0;
    for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).trim());
      }
    }
    assertThat(in.readNBytes(length)).hasSize(length);
    return status;
  }

  private static String readLine(final InputStream in) throws IOException {
    final StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-response");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private void send(final UsageEvent event) {
    driver.createInputTopic(Topics.USAGE.name(), new StringSerializer(),
            Topics.USAGE.valueSerde(SERDES).serializer())
        .pipeInput(event.getCorrelationId(), event);
    driver.advanceWallClockTime(TestData.PRESUM);
  }

  private HttpResponse<String> get(final String path) throws IOException, InterruptedException {
    return get(path, "key-t");
  }

  private HttpResponse<String> get(final String path, final String key)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10))
        .GET();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
