package dev.tiergate.launcher.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.launcher.budgets.BudgetCatalog;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets hold under concurrency, on the real stack: 200 concurrent frontier requests against a
 * $0.02-a-day REJECT budget. Each request reserves its cost bound before it is routed, so the
 * requests that fit are served and the rest get 429 {@code insufficient_quota} at once, instead of
 * all being served before accounting catches up (on the code before reservations: all 200 served,
 * about $0.40 spent at these settings).
 */
class BudgetConcurrencyTest {

  private static final Logger LOG = LoggerFactory.getLogger(BudgetConcurrencyTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long LIMIT_MICROS = 20_000;
  private static final int CONCURRENT = 200;
  private static final int MAX_TOKENS = 200;
  /**
   * One request's bound: a ~15-token prompt on anthropic/claude-sonnet-4.5 ($3/M in) plus 200
   * output tokens at $15/M is about 3,045 micro-dollars; rounded up for the tokenizers' differences.
   */
  private static final long ONE_REQUEST_MICROS = 3_100;

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
  void twoHundredConcurrentFrontierRequestsSpendNoMoreThanTheBudgetAndOneRequest()
      throws Exception {
    new BudgetCatalog(stack.kafkaSettings()).put(Budget.newBuilder()
        .setBudgetId("bud_demo_day")
        .setTenant("demo")
        .setPeriod(BudgetPeriod.DAY)
        .setLimitMicros(LIMIT_MICROS)
        .setAction(BudgetAction.REJECT)
        .build());
    // The router knows the budget once a request it cannot hold is refused: a title request with
    // max_tokens 100,000 reserves $0.20 (openai/gpt-5-mini's output price). Served (before the
    // router saw the budget, or by a router without reservations) it costs a few micro-dollars, in
    // its own mode, so it neither exhausts the budget nor mixes with the burst's spend.
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertInsufficientQuota(chat("title", "probe", 100_000).join()));

    final List<HttpResponse<String>> replies = IntStream.range(0, CONCURRENT)
        .mapToObj(i -> chat("plan", "request " + i, MAX_TOKENS))
        .toList().stream().map(CompletableFuture::join).toList();

    final List<HttpResponse<String>> served =
        replies.stream().filter(r -> r.statusCode() == 200).toList();
    final List<HttpResponse<String>> refused =
        replies.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(served).as("served").isNotEmpty();
    assertThat(served.size() + refused.size()).as("every reply is 200 or 429").isEqualTo(CONCURRENT);
    for (final HttpResponse<String> reply : refused) {
      assertInsufficientQuota(reply);
    }
    // Every served request is billed; the total stays within the limit plus one request.
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(spend("plan").requests()).isEqualTo(served.size()));
    final Spend burst = spend("plan");
    LOG.info("{} concurrent frontier requests, $0.02 REJECT budget: {} served, {} refused, "
        + "{} micro-dollars spent", CONCURRENT, served.size(), refused.size(), burst.micros());
    assertThat(burst.micros())
        .as("spent by the %d served of %d requests (probes served before the router saw the "
            + "budget, not counted here: %s)", served.size(), CONCURRENT, spend("title"))
        .isPositive()
        .isLessThanOrEqualTo(LIMIT_MICROS + ONE_REQUEST_MICROS);
  }

  /**
   * A frontier request (plan: anthropic/claude-sonnet-4.5 > openai/gpt-5; title: gpt-5-nano >
   * gpt-5-mini).
   */
  private static CompletableFuture<HttpResponse<String>> chat(
      final String mode, final String prompt, final int maxTokens) {
    final String body = JSON.createObjectNode()
        .put("model", "auto/frontier")
        .put("max_tokens", maxTokens)
        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode()
            .put("role", "user").put("content", "Plan the billing refactor, " + prompt)))
        .toString();
    final HttpRequest request = HttpRequest.newBuilder(
            URI.create(stack.ingressUrl() + "/v1/chat/completions"))
        .timeout(WAIT)
        .header("Authorization", "Bearer tg-demo-key")
        .header("Content-Type", "application/json")
        .header("x-tiergate-mode", mode)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void assertInsufficientQuota(final HttpResponse<String> reply) throws IOException {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(429);
    final JsonNode error = JSON.readTree(reply.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("insufficient_quota");
    assertThat(error.get("code").asText()).isEqualTo("insufficient_quota");
    assertThat(error.get("message").asText()).contains("bud_demo_day");
  }

  private record Spend(long requests, long micros) {}

  /** The tenant's all-time spend in one mode. */
  private static Spend spend(final String mode) throws IOException, InterruptedException {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.accountingUrl() + "/v1/spend?tenant=demo&by=mode"))
            .header("Authorization", "Bearer tg-demo-key")
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    long requests = 0;
    long micros = 0;
    for (final JsonNode row : JSON.readTree(response.body()).get("rows")) {
      if (mode.equals(row.get("value").asText())) {
        requests += row.get("requests").asLong();
        micros += row.get("costMicros").asLong();
      }
    }
    return new Spend(requests, micros);
  }
}
