package dev.tiergate.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DispatcherHttpTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void servesHealthFromTheWorkerAndMetricsInPrometheusFormat() throws Exception {
    registry.counter("tiergate_test_calls").increment();
    final AtomicBoolean running = new AtomicBoolean(true);
    try (DispatcherHttp http = DispatcherHttp.start("127.0.0.1", 0, registry, running::get)) {
      assertThat(get(http, "/health").statusCode()).isEqualTo(200);
      assertThat(get(http, "/metrics").body()).contains("tiergate_test_calls_total 1.0");
      assertThat(get(http, "/other").statusCode()).isEqualTo(404);
      running.set(false);
      assertThat(get(http, "/health").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void halfSentHeaderDoesNotBlockHealthAndIsClosed() throws Exception {
    try (DispatcherHttp http = DispatcherHttp.start("127.0.0.1", 0, registry, () -> true);
        Socket stalled = new Socket("127.0.0.1", http.port())) {
      stalled.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();

      assertThat(get(http, "/health").statusCode()).isEqualTo(200);
      stalled.setSoTimeout((int) DispatcherHttp.IDLE_TIMEOUT.plusSeconds(30).toMillis());
      assertThat(stalled.getInputStream().read()).isEqualTo(-1);
    }
  }

  private HttpResponse<String> get(final DispatcherHttp http, final String path) throws Exception {
    // A fresh client per call: these tests are about the answers, not about connection reuse.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
            .timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
