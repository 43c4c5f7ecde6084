package dev.tiergate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.runtime.VirtualKeySpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A caller with a valid key tries to take more than its share, on the whole embedded stack: past
 * its requests, tokens and concurrency per minute, across two ingress instances, and one tenant's
 * slow provider account against another tenant's service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitAttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The slow tenant's own provider key; the simulator delays calls made with it. */
  private static final String SLOW_TENANT_PROVIDER_KEY = "sk-slowco-own-account";
  private static final String PACED_TENANT_PROVIDER_KEY = "sk-pacedco-own-account";
  private static final String KEYS =
      String.join(",",
          "tg-demo-key=demo:balanced",
          "rl-rpm-key=rpmco:small;rpm=3",
          "rl-headers-key=headco:small;rpm=100;tpm=100000",
          "rl-two-key=twoco:small;rpm=60",
          "rl-conc-key=pacedco:small;concurrent=1",
          "rl-tpm-key=tpmco:small;tpm=50",
          "rl-slow-key=slowco:small",
          "rl-steady-key=steadyco:small");

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, WAIT)
                .withServiceEnv(
                    Map.of(
                        VirtualKeySpec.TABLE.name(), KEYS,
                        "TIERGATE_BYOK_TENANT__slowco__OPENAI", SLOW_TENANT_PROVIDER_KEY,
                        "TIERGATE_BYOK_TENANT__pacedco__OPENAI", PACED_TENANT_PROVIDER_KEY,
                        "TIERGATE_DISPATCHER_MAX_RETRIES", "0",
                        "TIERGATE_DISPATCHER_TOTAL_TIMEOUT_MS", "3000",
                        "TIERGATE_DISPATCHER_BREAKER_WINDOW", "4",
                        "TIERGATE_DISPATCHER_BREAKER_MINIMUM_CALLS", "4")));
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> chat(stack.ingressUrl(), "tg-demo-key", "Warm up").statusCode() == 200);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void keyOverItsRequestLimitGets429WithRetryAfter() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(chat(stack.ingressUrl(), "rl-rpm-key", "Summarise " + i).statusCode())
          .isEqualTo(200);
    }
    final HttpResponse<String> refused = chat(stack.ingressUrl(), "rl-rpm-key", "One more");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(retryAfter(refused)).isBetween(1L, 61L);
    final JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("type").asText()).isEqualTo("requests");
    assertThat(refused.body()).doesNotContain("rl-rpm-key");

    final HttpResponse<String> anthropic = messages("rl-rpm-key", "And on Messages");
    assertThat(anthropic.statusCode()).isEqualTo(429);
    assertThat(retryAfter(anthropic)).isBetween(1L, 61L);
    assertThat(JSON.readTree(anthropic.body()).path("error").path("type").asText())
        .isEqualTo("rate_limit_error");

    // A managed key created with the CLI's --rpm is limited the same way.
    final String key =
        cli("keys", "create", "--tenant", "clico", "--default-tier", "small", "--rpm", "2").trim();
    await().atMost(WAIT).until(() -> chat(stack.ingressUrl(), key, "First").statusCode() != 401);
    assertThat(chat(stack.ingressUrl(), key, "Second").statusCode()).isEqualTo(200);
    final HttpResponse<String> third = chat(stack.ingressUrl(), key, "Third");
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
  }

  @Test
  @Order(2)
  void repliesCarryRateLimitHeaders() throws Exception {
    final HttpResponse<String> openAi = chat(stack.ingressUrl(), "rl-headers-key", "Headers");
    assertThat(openAi.statusCode()).isEqualTo(200);
    assertThat(header(openAi, "x-ratelimit-limit-requests")).isEqualTo("100");
    assertThat(header(openAi, "x-ratelimit-remaining-requests")).isEqualTo("99");
    assertThat(header(openAi, "x-ratelimit-reset-requests")).matches("1m(0|1)(\\.\\d+)?s|60s");
    assertThat(header(openAi, "x-ratelimit-limit-tokens")).isEqualTo("100000");
    assertThat(header(openAi, "x-ratelimit-remaining-tokens")).isEqualTo("100000");
    assertThat(header(openAi, "x-ratelimit-reset-tokens")).isEqualTo("0s");
    assertThat(openAi.headers().firstValue("anthropic-ratelimit-requests-limit")).isEmpty();

    final HttpResponse<String> anthropic = messages("rl-headers-key", "Headers too");
    assertThat(anthropic.statusCode()).isEqualTo(200);
    assertThat(header(anthropic, "anthropic-ratelimit-requests-limit")).isEqualTo("100");
    assertThat(header(anthropic, "anthropic-ratelimit-requests-remaining")).isEqualTo("98");
    assertThat(OffsetDateTime.parse(header(anthropic, "anthropic-ratelimit-requests-reset")))
        .isAfter(OffsetDateTime.now().plusSeconds(50));
    assertThat(header(anthropic, "anthropic-ratelimit-tokens-limit")).isEqualTo("100000");
    assertThat(Long.parseLong(header(anthropic, "anthropic-ratelimit-tokens-remaining")))
        .isBetween(0L, 100_000L);
    OffsetDateTime.parse(header(anthropic, "anthropic-ratelimit-tokens-reset"));
    assertThat(header(anthropic, "x-ratelimit-limit-requests")).isEqualTo("100");

    // A key with no limits gets no rate-limit headers at all.
    final HttpResponse<String> unlimited = chat(stack.ingressUrl(), "tg-demo-key", "No limits");
    assertThat(unlimited.statusCode()).isEqualTo(200);
    assertThat(unlimited.headers().map().keySet())
        .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).contains("ratelimit"));
  }

  @Test
  @Order(3)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void limitHoldsAcrossTwoIngressInstances() throws Exception {
    final IngressConfig config =
        IngressConfig.fromEnv(stack.serviceEnv()).withPort(0)
            .withMetricsPort(IngressConfig.NO_METRICS_PORT);
    try (IngressService second = new IngressService(config, stack.kafkaSettings().serdes())) {
      second.start();
      final List<String> urls = List.of(stack.ingressUrl(), "http://127.0.0.1:" + second.port());
      await().atMost(WAIT).until(() -> chat(urls.get(1), "tg-demo-key", "Warm").statusCode() == 200);

      // 300 attempts in 30 s, one every 100 ms, alternating between the two instances.
      final int attempts = 300;
      final ConcurrentLinkedQueue<HttpResponse<String>> replies = new ConcurrentLinkedQueue<>();
      final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      final CountDownLatch done = new CountDownLatch(attempts);
      final AtomicInteger sent = new AtomicInteger();
      final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      try {
        pacer.scheduleAtFixedRate(
            () -> {
              final int i = sent.getAndIncrement();
              if (i >= attempts) {
                return;
              }
              HTTP.sendAsync(request(urls.get(i % 2), "rl-two-key", "Attempt " + i),
                      HttpResponse.BodyHandlers.ofString())
                  .whenComplete((reply, error) -> {
                    if (error != null) {
                      failures.add(error);
                    } else {
                      replies.add(reply);
                    }
                    done.countDown();
                  });
            },
            0, 100, TimeUnit.MILLISECONDS);
        assertThat(done.await(150, TimeUnit.SECONDS)).isTrue();
      } finally {
        pacer.shutdownNow();
      }
      assertThat(failures).isEmpty();
      final long ok = replies.stream().filter(r -> r.statusCode() == 200).count();
      final List<HttpResponse<String>> refused =
          replies.stream().filter(r -> r.statusCode() == 429).toList();
      System.out.printf("two instances, 60 RPM key, %d attempts in 30 s: %d answered 200, %d 429%n",
          attempts, ok, refused.size());
      assertThat(ok).as("answered 200 of %d", attempts).isBetween(50L, 66L);
      assertThat(ok + refused.size()).isEqualTo(attempts);
      assertThat(refused).allSatisfy(r -> assertThat(retryAfter(r)).isBetween(1L, 61L));
    }
  }

  @Test
  @Order(4)
  void concurrencyLimitRefusesTheExtraRequest() throws Exception {
    // The tenant's own provider account answers after 2 s: long enough to overlap a second call.
    stack.simulator().slowDownCredential(PACED_TENANT_PROVIDER_KEY, Duration.ofSeconds(2));
    final long before = stack.simulator().totalCalls();
    final CompletableFuture<HttpResponse<String>> first =
        HTTP.sendAsync(request(stack.ingressUrl(), "rl-conc-key", "Slow one"),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> stack.simulator().totalCalls() > before);

    final HttpResponse<String> second = chat(stack.ingressUrl(), "rl-conc-key", "Meanwhile");
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(retryAfter(second)).isEqualTo(1L);

    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    stack.simulator().slowDownCredential(PACED_TENANT_PROVIDER_KEY, Duration.ZERO);
    assertThat(chat(stack.ingressUrl(), "rl-conc-key", "After").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void tokenLimitCountsUsage() throws Exception {
    final String longPrompt = "Summarise this paragraph about rate limits. ".repeat(20);
    final HttpResponse<String> first = chat(stack.ingressUrl(), "rl-tpm-key", longPrompt);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(header(first, "x-ratelimit-remaining-tokens")).isEqualTo("50");
    final JsonNode usage = JSON.readTree(first.body()).path("usage");
    assertThat(usage.path("total_tokens").asLong()).isGreaterThan(50);

    // Usage reaches the ingress from tiergate.usage a moment after the reply.
    final HttpResponse<String> refused =
        await().atMost(WAIT).until(
            () -> chat(stack.ingressUrl(), "rl-tpm-key", "Short"), r -> r.statusCode() == 429);
    assertThat(header(refused, "x-ratelimit-limit-tokens")).isEqualTo("50");
    assertThat(header(refused, "x-ratelimit-remaining-tokens")).isEqualTo("0");
    assertThat(JSON.readTree(refused.body()).path("error").path("type").asText()).isEqualTo("tokens");
    assertThat(retryAfter(refused)).isBetween(1L, 61L);
  }

  @Test
  @Order(6)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void oneTenantsTimeoutsDoNotOpenAnotherTenantsBreaker() throws Exception {
    // slowco's own OpenAI account stops answering in time: its calls time out after 3 s and fall
    // back to the chain's next model (the local one).
    stack.simulator().slowDownCredential(SLOW_TENANT_PROVIDER_KEY, Duration.ofSeconds(10));
    final List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      slow.add(HTTP.sendAsync(request(stack.ingressUrl(), "rl-slow-key", "Slow " + i),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (final CompletableFuture<HttpResponse<String>> reply : slow) {
      assertThat(header(reply.get(60, TimeUnit.SECONDS), "x-tiergate-model"))
          .isEqualTo("local/llama-3.1-8b");
    }
    // Its breaker for OpenAI is open now: the next call skips OpenAI at once.
    final long started = System.nanoTime();
    final HttpResponse<String> skipped = chat(stack.ingressUrl(), "rl-slow-key", "Skip");
    assertThat(header(skipped, "x-tiergate-model")).isEqualTo("local/llama-3.1-8b");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

    // Another tenant on the same provider is still served by it.
    final HttpResponse<String> steady = chat(stack.ingressUrl(), "rl-steady-key", "Steady");
    assertThat(steady.statusCode()).isEqualTo(200);
    assertThat(header(steady, "x-tiergate-model")).isEqualTo("openai/gpt-5-nano");
    stack.simulator().slowDownCredential(SLOW_TENANT_PROVIDER_KEY, Duration.ZERO);
  }

  private static HttpResponse<String> chat(final String url, final String key, final String prompt)
      throws Exception {
    return HTTP.send(request(url, key, prompt), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(final String url, final String key, final String prompt) {
    final String body =
        JSON.createObjectNode().put("model", "auto/small")
            .set("messages", JSON.createArrayNode()
                .add(JSON.createObjectNode().put("role", "user").put("content", prompt)))
            .toString();
    return HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .header("x-tiergate-mode", "summary")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> messages(final String key, final String prompt)
      throws Exception {
    final String body =
        JSON.createObjectNode().put("model", "auto/small").put("max_tokens", 64)
            .set("messages", JSON.createArrayNode()
                .add(JSON.createObjectNode().put("role", "user").put("content", prompt)))
            .toString();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/messages"))
            .timeout(Duration.ofSeconds(90))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .header("Content-Type", "application/json")
            .header("x-tiergate-mode", "summary")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String header(final HttpResponse<String> response, final String name) {
    return response.headers().firstValue(name)
        .orElseThrow(() -> new AssertionError("no " + name + " header on " + response.statusCode()
            + " " + response.headers().map()));
  }

  private static long retryAfter(final HttpResponse<String> response) {
    return Long.parseLong(header(response, "retry-after"));
  }

  private static String cli(final String... args) {
    final StringWriter out = new StringWriter();
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(
        "--bootstrap-servers", stack.kafkaSettings().bootstrapServers(),
        "--registry-url", stack.kafkaSettings().schemaRegistryUrl()));
    final int exit = TiergateCli.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(new StringWriter(), true))
        .execute(all.toArray(String[]::new));
    assertThat(exit).as("exit code of %s", List.of(args)).isZero();
    return out.toString();
  }
}
