package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.runtime.OpsServer.Health;
import dev.tiergate.schemas.settings.Settings;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpsServerTest {

  private static final String METRICS = "# TYPE tiergate_test_calls_total counter\ntiergate_test_calls_total 1.0\n";

  @Test
  void servesHealthFromTheServiceAndMetricsInPrometheusFormat() throws Exception {
    final AtomicReference<Health> health = new AtomicReference<>(new Health(true, "RUNNING"));
    try (OpsServer ops = OpsServer.start("test", "127.0.0.1", 0, () -> METRICS, health::get)) {
      final HttpResponse<String> up = get(ops, "/health");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).isEqualTo("{\"status\":\"RUNNING\"}");
      final HttpResponse<String> metrics = get(ops, "/metrics");
      assertThat(metrics.body()).isEqualTo(METRICS);
      assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(get(ops, "/other").statusCode()).isEqualTo(404);

      health.set(new Health(false, "ERROR"));
      final HttpResponse<String> down = get(ops, "/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).isEqualTo("{\"status\":\"ERROR\"}");
      health.set(Health.of(false));
      assertThat(get(ops, "/health").body()).isEqualTo("{\"status\":\"DOWN\"}");
    }
  }

  @Test
  void halfSentHeaderDoesNotBlockHealthAndIsClosed() throws Exception {
    try (OpsServer ops = OpsServer.start("test", "127.0.0.1", 0, () -> "", () -> Health.of(true));
        Socket stalled = new Socket("127.0.0.1", ops.port())) {
      stalled.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();

      assertThat(get(ops, "/health").statusCode()).isEqualTo(200);
      // The stalled connection is closed by the server's timeouts, not held forever.
      stalled.setSoTimeout((int) OpsServer.IDLE_TIMEOUT.plusSeconds(30).toMillis());
      assertThat(stalled.getInputStream().read()).isEqualTo(-1);
    }
  }

  private static HttpResponse<String> get(final OpsServer ops, final String path) throws Exception {
    // A fresh client per call: these tests are about the answers, not about connection reuse.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path))
            .timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void itsPortIsFreeByDefaultOrOffAndItsHostIsEveryInterface() {
    final var port = OpsServer.portSetting("TEST_OPS_PORT", "TestService.port()");
    final var host = OpsServer.hostSetting("TEST_OPS_HOST");

    assertThat(Settings.of(Map.of()).get(port)).isZero();
    assertThat(Settings.of(Map.of("TEST_OPS_PORT", "-1")).get(port)).isEqualTo(-1);
    assertThatThrownBy(() -> Settings.of(Map.of("TEST_OPS_PORT", "-2")).get(port))
        .hasMessage("TEST_OPS_PORT is out of range -1 to 65535: -2");
    assertThat(port.description()).contains("`TestService.port()`");
    assertThat(Settings.of(Map.of()).get(host)).isEqualTo(OpsServer.DEFAULT_HOST).isEqualTo("0.0.0.0");
  }
}
