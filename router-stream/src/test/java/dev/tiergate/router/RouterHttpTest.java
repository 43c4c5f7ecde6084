package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.RoutingDecision;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class RouterHttpTest {


  @Test
  void servesDecisionCountersInPrometheusFormatAndHealthFromStreamsState() throws Exception {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final RouterMetrics metrics = new RouterMetrics(registry);
    metrics.routed(decision("frontier", true));
    metrics.error("insufficient_quota");
    final AtomicReference<State> state = new AtomicReference<>(State.REBALANCING);

    try (RouterHttp http = RouterHttp.start("127.0.0.1", 0, registry, state::get)) {
      final HttpResponse<String> scrape = get(http, "/metrics");
      final HttpResponse<String> rebalancing = get(http, "/health");
      state.set(State.ERROR);
      final HttpResponse<String> failed = get(http, "/health");

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body())
          .contains("tiergate_router_decisions_total{source=\"predicted\",tier=\"frontier\"} 1.0")
          .contains("tiergate_router_errors_total{stage=\"route\",type=\"insufficient_quota\"} 1.0");
      assertThat(rebalancing.statusCode()).isEqualTo(200);
      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(failed.body()).isEqualTo("{\"status\":\"ERROR\"}");
    }
  }

  @Test
  void halfSentHeaderDoesNotBlockHealthAndIsClosed() throws Exception {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (RouterHttp http = RouterHttp.start("127.0.0.1", 0, registry, () -> State.RUNNING);
        Socket stalled = new Socket("127.0.0.1", http.port())) {
      stalled.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();

      final HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/health"))
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      // The stalled connection is closed by the server's timeouts, not held forever.
      stalled.setSoTimeout((int) RouterHttp.IDLE_TIMEOUT.plusSeconds(30).toMillis());
      assertThat(stalled.getInputStream().read()).isEqualTo(-1);
    }
  }

  private HttpResponse<String> get(final RouterHttp http, final String path) throws Exception {
    // A fresh client per call: these tests are about the answers, not about connection reuse.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static RoutingDecision decision(final String tier, final boolean predicted) {
    return RoutingDecision.newBuilder()
        .setModelChain(List.of("openai/gpt-5"))
        .setTier(tier)
        .setMode("none")
        .setRuleKey(tier + "/*")
        .setReason("test")
        .setPredicted(predicted)
        .setParams(Map.of())
        .setRoutedAt(Instant.EPOCH)
        .build();
  }
}
