package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.budgets.BudgetCatalog;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spend dashboard in a real headless Chromium, after a demo workload through the whole stack:
 * the page loads its data with the demo key and draws non-empty charts and budget bars. A screenshot
 * is kept at {@code target/dashboard.png}. Skipped (with the reason) where Chromium is not installed.
 */
class DashboardBrowserTest {

  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String KEY = "tg-demo-key";
  private static final int REQUESTS = 12;

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStackAndRunAWorkload() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
        "headless Chromium not installed at " + CHROMIUM + " (apt-get install -y chromium); "
            + "the dashboard browser test is skipped");
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
    new BudgetCatalog(stack.kafkaSettings()).put(Budget.newBuilder()
        .setBudgetId("bud_demo_all_month")
        .setTenant("demo")
        .setPeriod(BudgetPeriod.MONTH)
        .setLimitMicros(50_000)
        .setAction(BudgetAction.ALERT)
        .build());
    final String[][] work = {
      {"plan", "auto/frontier", "code-review"}, {"code", "auto/frontier", "code-review"},
      {"code", "auto", "refactor"}, {"debug", "auto/frontier", "refactor"},
      {"commit-message", "auto", "git"}, {"plan", "auto", "chat"},
    };
    for (int i = 0; i < REQUESTS; i++) {
      final String[] w = work[i % work.length];
      final HttpResponse<String> reply = chat(w[0], w[1], w[2], "Step " + i + ": work on the billing module");
      assertThat(reply.statusCode()).as("chat %d", i).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      final JsonNode month = JSON.readTree(get("/v1/spend?by=mode&window=month").body());
      long requests = 0;
      for (final JsonNode row : month.get("rows")) {
        requests += row.get("requests").asLong();
      }
      assertThat(requests).isEqualTo(REQUESTS);
    });
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void dashboardDrawsNonEmptyChartsInHeadlessChromium() throws Exception {
    final String url = stack.accountingUrl() + "/dashboard#key=" + KEY;

    final String dom = chromium("--dump-dom", url);

    assertThat(dom).contains("data-ready=\"true\"");
    assertThat(dom).contains("tenant demo");
    for (final String chart : List.of("mode", "model", "tier", "counterfactual")) {
      assertThat(pointsOf(dom, chart)).as("buckets drawn in chart %s", chart).isPositive();
    }
    assertThat(dom).contains("data-value=\"plan\"").contains("data-value=\"openai/gpt-5\"");
    assertThat(dom).contains("data-series=\"routed\"").contains("data-series=\"frontier\"");
    assertThat(dom).contains("data-row=\"code-review\"");
    assertThat(dom).contains("data-row=\"bud_demo_all_month (all, month, alert)\"");

    final Path screenshot = Paths.get("target", "dashboard.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium("--screenshot=" + screenshot, "--window-size=1440,1250", url);
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).isGreaterThan(20_000);
  }

  @Test
  void pageNeedsNoKeyButItsDataDoes() throws Exception {
    final HttpResponse<String> page = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/dashboard"))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/html"));
    // Self-contained: no script, stylesheet or font from anywhere else.
    assertThat(page.body()).doesNotContainPattern("(src|href)=\"?(https?:)?//")
        .doesNotContain("@import").contains("createElementNS");
    final HttpResponse<String> data = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/v1/spend/series"))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(data.statusCode()).isEqualTo(401);
  }

  /** The {@code data-points} of the chart's SVG: how many buckets had data. */
  private static int pointsOf(final String dom, final String chart) {
    final Matcher matcher = Pattern.compile(
            "data-chart=\"" + chart + "\"[^>]*>\\s*<svg[^>]*data-points=\"(\\d+)\"")
        .matcher(dom);
    assertThat(matcher.find()).as("chart %s has an svg", chart).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  /** Runs headless Chromium on the page and returns what it printed (the DOM for --dump-dom). */
  private static String chromium(final String... args) throws IOException, InterruptedException {
    final List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--hide-scrollbars", "--virtual-time-budget=8000",
        "--user-data-dir=" + dataDir.resolve("chromium-profile")));
    command.addAll(List.of(args));
    final Path out = Files.createTempFile(dataDir, "chromium-", ".out");
    final Process process = new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("chromium did not finish in 120 s");
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(final String path)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.accountingUrl() + path))
            .header("Authorization", "Bearer " + KEY)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> chat(
      final String mode, final String model, final String feature, final String prompt)
      throws IOException, InterruptedException {
    final String body = JSON.createObjectNode()
        .put("model", model)
        .set("messages", JSON.createArrayNode().add(
            JSON.createObjectNode().put("role", "user").put("content", prompt)))
        .toString();
    final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(stack.ingressUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(40))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    Map.of("x-tiergate-mode", mode, "x-tiergate-feature", feature).forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
