package dev.tiergate.launcher.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.launcher.TiergateStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingress's Prometheus endpoint on the whole embedded stack: real requests through both APIs
 * (plain, streamed, refused) move the request counters and latency histogram by route, dialect and
 * status, and the endpoint answers on its own port without a key while the public API port has no
 * {@code /metrics}.
 */
class IngressMetricsEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String KEY = "tg-demo-key";

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, WAIT));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void realRequestsMoveTheCountersOnTheMetricsPort() throws Exception {
    final String chat = "{\"model\":\"auto\",\"max_tokens\":64,\"stream\":%s,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Rename a variable\"}]}";
    final double chatsBefore = count(scrape(), "/v1/chat/completions", "openai", "200");

    assertThat(post("/v1/chat/completions", String.format(Locale.ROOT, chat, false), KEY).statusCode())
        .isEqualTo(200);
    assertThat(post("/v1/chat/completions", String.format(Locale.ROOT, chat, true), KEY).statusCode())
        .isEqualTo(200);
    assertThat(post("/v1/messages", String.format(Locale.ROOT, chat, false), KEY).statusCode())
        .isEqualTo(200);
    assertThat(post("/v1/messages", String.format(Locale.ROOT, chat, false), "tg-wrong").statusCode())
        .isEqualTo(401);

    await().atMost(WAIT).untilAsserted(() -> {
      final String metrics = scrape();
      assertThat(count(metrics, "/v1/chat/completions", "openai", "200") - chatsBefore)
          .isEqualTo(2.0);
      assertThat(count(metrics, "/v1/messages", "anthropic", "200")).isEqualTo(1.0);
      assertThat(count(metrics, "/v1/messages", "anthropic", "401")).isEqualTo(1.0);
      assertThat(sample(metrics, "tiergate_ingress_http_requests_seconds_bucket",
              "route=\"/v1/messages\"", "status=\"200\"", "le=\"+Inf\""))
          .isEqualTo(1.0);
      assertThat(sample(metrics, "tiergate_ingress_http_requests_seconds_sum",
              "route=\"/v1/messages\"", "status=\"200\""))
          .isPositive();
      assertThat(sample(metrics, "tiergate_ingress_streams_open")).isZero();
      assertThat(sample(metrics, "tiergate_ingress_pending_replies")).isZero();
      assertThat(sample(metrics, "tiergate_ingress_reply_timeouts_total")).isZero();
      assertThat(sample(metrics, "tiergate_ingress_produce_errors_total")).isZero();
    });
  }

  @Test
  void thePublicApiPortServesNoMetrics() throws Exception {
    final HttpResponse<String> onApiPort = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/metrics")).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(onApiPort.statusCode()).isEqualTo(404);
    assertThat(onApiPort.body()).doesNotContain("tiergate_ingress");
  }

  private static HttpResponse<String> post(final String path, final String body, final String key)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + path))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String scrape() throws Exception {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressMetricsUrl())).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static double count(
      final String metrics, final String route, final String dialect, final String status) {
    final double value = sample(metrics, "tiergate_ingress_http_requests_seconds_count",
        "route=\"" + route + "\"", "dialect=\"" + dialect + "\"", "status=\"" + status + "\"");
    return Double.isNaN(value) ? 0 : value;
  }

  /** The first sample of {@code name} whose labels include every given {@code k="v"}; NaN if none. */
  private static double sample(final String metrics, final String name, final String... labels) {
    for (final String line : metrics.split("\n")) {
      if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean all = true;
      for (final String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }
}
