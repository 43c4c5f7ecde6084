package dev.tiergate.launcher.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.stack.simulator.CallLedger;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody pays for work nobody waits for (issue 14, deadlines): a provider slower (3 s) than the
 * reply timeout (1 s) is cut at the deadline and nothing is billed; requests that expired before a
 * router or dispatcher picked them up never reach the provider; the SDKs' own timeout header
 * shortens the deadline. One embedded stack for the class.
 */
class AbandonedWorkTest {

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration PROVIDER_LATENCY = Duration.ofSeconds(3);

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static BillingProbe probe;

  @BeforeAll
  static void startStack() {
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, REPLY_TIMEOUT)
                .withSimulator(SimulatorConfig.defaults().withLatency(PROVIDER_LATENCY)));
    probe = new BillingProbe(stack);
    // A cold router or dispatcher can take longer than the 1 s deadline: warm the path until a
    // request reaches the provider, so the tests below exercise the abort, not only the drop.
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> {
          chat("warm-up", "Warm up");
          return stack.simulator().ledger().snapshot().values().stream()
              .anyMatch(entry -> entry.started() > 0);
        });
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void providerSlowerThanTheDeadlineIsCutAndNotBilled() throws Exception {
    final String feature = "deadline-e2e";
    final ExecutorService clients = Executors.newFixedThreadPool(20);
    final List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        final String prompt = "Deadline request " + i;
        calls.add(CompletableFuture.supplyAsync(() -> chat(feature, prompt), clients));
      }
      final List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
      final Instant lastAnswer = Instant.now();

      assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(504);
      final Set<String> ids =
          responses.stream()
              .map(response -> response.headers().firstValue("x-tiergate-request-id").orElseThrow())
              .collect(Collectors.toSet());
      assertThat(ids).hasSize(20);

      // Wait until a call that had not been cut would have completed.
      final CallLedger ledger = stack.simulator().ledger();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Instant.now().isAfter(lastAnswer.plus(PROVIDER_LATENCY).plusMillis(500))
              && ids.stream().map(ledger::get).flatMap(Optional::stream)
                  .allMatch(entry -> entry.completed() + entry.aborted() == entry.started()));
      for (final String id : ids) {
        ledger.get(id).ifPresent(entry -> assertThat(entry.completed()).as("completed calls of %s", id).isZero());
      }
      assertThat(ids.stream().map(ledger::get).flatMap(Optional::stream).mapToLong(CallLedger.Entry::aborted).sum())
          .as("calls the dispatcher aborted at the deadline")
          .isPositive();
      final List<UsageEvent> usage =
          probe.readAll(Topics.USAGE).stream().filter(event -> ids.contains(event.getCorrelationId())).toList();
      assertThat(usage).as("usage booked for requests nobody waited for").isEmpty();
      final JsonNode spend = probe.featureSpend(feature);
      assertThat(spend == null ? 0 : spend.path("costMicros").asLong()).isZero();
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void expiredBacklogIsNotServed() throws Exception {
    final Instant past = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
    final List<String> ids = IntStream.range(0, 5).mapToObj(i -> "req_expiredbacklog" + i).toList();
    for (final String id : ids) {
      probe.publish(Topics.ROUTED, id, routed(request(id, past)));
    }

    final Map<String, ChatResponse> answers = awaitResponses(ids);
    assertThat(answers.values())
        .allSatisfy(response -> {
          assertThat(response.getError().getType()).isEqualTo("deadline_exceeded");
          assertThat(response.getError().getHttpStatus()).isEqualTo(504);
        });
    assertThat(ids).allSatisfy(id -> assertThat(stack.simulator().ledger().get(id)).isEmpty());
    assertThat(probe.readAll(Topics.USAGE)).noneMatch(event -> ids.contains(event.getCorrelationId()));
  }

  @Test
  void expiredRequestIsNotRouted() throws Exception {
    final Instant past = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
    final String id = "req_expiredatrouter";
    probe.publish(Topics.REQUESTS, "sess_expired", request(id, past));

    final ChatResponse response = awaitResponses(List.of(id)).get(id);
    assertThat(response.getError().getType()).isEqualTo("deadline_exceeded");
    assertThat(response.getError().getHttpStatus()).isEqualTo(504);
    assertThat(probe.readAll(Topics.ROUTED)).noneMatch(routed -> id.equals(routed.getRequest().getCorrelationId()));
    assertThat(stack.simulator().ledger().get(id)).isEmpty();
  }

  @Test
  void stainlessTimeoutShortensTheDeadline() throws Exception {
    final HttpResponse<String> response =
        probe.chat(
            Map.of("X-Stainless-Timeout", "0.25", "x-tiergate-feature", "stainless-e2e"),
            BillingProbe.body("Short client timeout", false));

    assertThat(response.statusCode()).isEqualTo(504);
    final String id = response.headers().firstValue("x-tiergate-request-id").orElseThrow();
    final ChatRequest sent =
        probe.readAll(Topics.REQUESTS).stream()
            .filter(request -> id.equals(request.getCorrelationId()))
            .findFirst()
            .orElseThrow();
    assertThat(Duration.between(sent.getReceivedAt(), sent.getDeadline())).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void malformedTiergateTimeoutIs400() throws Exception {
    final HttpResponse<String> response =
        probe.chat(Map.of("x-tiergate-timeout", "soon"), BillingProbe.body("Bad timeout", false));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(BillingProbe.JSON.readTree(response.body()).at("/error/param").asText())
        .isEqualTo("x-tiergate-timeout");
  }

  private static HttpResponse<String> chat(final String feature, final String prompt) {
    try {
      return probe.chat(Map.of("x-tiergate-feature", feature), BillingProbe.body(prompt, false));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, ChatResponse> awaitResponses(final List<String> ids) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> probe.readAll(Topics.RESPONSES).stream()
                .filter(response -> ids.contains(response.getCorrelationId()))
                .collect(Collectors.toMap(ChatResponse::getCorrelationId, r -> r, (a, b) -> a)),
            found -> found.size() == ids.size());
  }

  private static ChatRequest request(final String id, final Instant deadline) {
    return ChatRequest.newBuilder()
        .setCorrelationId(id)
        .setSessionId("sess_expired")
        .setTenant(BillingProbe.TENANT)
        .setTier("small")
        .setApiKind(ApiKind.OPENAI_CHAT)
        .setRequestedModel("auto/small")
        .setMessages(List.of(Message.newBuilder()
            .setRole("user")
            .setParts(List.of(ContentPart.newBuilder().setType(PartType.TEXT).setText("Anyone there?").build()))
            .build()))
        .setReceivedAt(deadline.minusSeconds(1))
        .setDeadline(deadline)
        .build();
  }

  private static RoutedRequest routed(final ChatRequest request) {
    return RoutedRequest.newBuilder()
        .setRequest(request)
        .setDecision(RoutingDecision.newBuilder()
            .setModelChain(List.of("openai/gpt-5-nano"))
            .setTier("small")
            .setMode("none")
            .setRuleKey("small/*")
            .setReason("test: an expired backlog")
            .setRoutedAt(request.getDeadline().minusMillis(500))
            .build())
        .build();
  }
}
