package dev.tiergate.launcher.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.stack.simulator.CallLedger;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody pays for work nobody waits for (issue 14, cancellation and idempotent retries): clients
 * that cut their streams stop the provider calls within a second and pay only for what was
 * streamed; a request repeated with the same {@code Idempotency-Key} is served and billed once.
 * One embedded stack for the class; the simulator streams one word every 300 ms.
 */
class CancelledWorkTest {

  private static final int STREAMS = 100;
  private static final String PROMPT = "Explain the billing pipeline in a few words";

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static BillingProbe probe;

  @BeforeAll
  static void startStack() {
    stack =
        TiergateStack.start(
            new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30))
                .withSimulator(SimulatorConfig.defaults().withChunkInterval(Duration.ofMillis(300))));
    probe = new BillingProbe(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void streamsCutAfterTheirFirstChunkStopTheProviderAndBillOnlyWhatWasStreamed() throws Exception {
    final HttpResponse<String> whole =
        probe.chat(Map.of("x-tiergate-feature", "cancel-reference"), BillingProbe.body(PROMPT, true));
    assertThat(whole.statusCode()).isEqualTo(200);
    final UsageEvent full = awaitUsage(whole.headers().firstValue("x-tiergate-request-id").orElseThrow());

    final ExecutorService clients = Executors.newFixedThreadPool(STREAMS);
    final List<Cut> cuts;
    try {
      final List<CompletableFuture<Cut>> pending = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        pending.add(CompletableFuture.supplyAsync(CancelledWorkTest::streamAndCut, clients));
      }
      cuts = pending.stream().map(CompletableFuture::join).toList();
    } finally {
      clients.shutdownNow();
    }
    assertThat(cuts).extracting(Cut::requestId).doesNotHaveDuplicates().hasSize(STREAMS);

    final CallLedger ledger = stack.simulator().ledger();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(cuts)
            .as("calls not aborted: %s", cuts.stream().map(cut -> ledger.get(cut.requestId()))
                .filter(entry -> entry.map(e -> e.aborted() == 0).orElse(true)).toList())
            .allMatch(cut -> ledger.get(cut.requestId()).map(e -> e.aborted() > 0).orElse(false)));
    for (final Cut cut : cuts) {
      final CallLedger.Entry entry = ledger.get(cut.requestId()).orElseThrow();
      assertThat(entry.completed()).as("completed calls of %s", cut.requestId()).isZero();
      assertThat(entry.lastEndedAt()).as("abort of %s", cut.requestId()).isBefore(cut.at().plusSeconds(1));
    }

    final Map<String, UsageEvent> usage = awaitUsage(cuts.stream().map(Cut::requestId).toList());
    assertThat(usage.values()).allSatisfy(event -> {
      assertThat(event.getCancelled()).isTrue();
      assertThat(event.getUsage().getOutputTokens()).isLessThan(full.getUsage().getOutputTokens());
    });
    final long fullCost = awaitSpend("cancel-reference", 1).path("costMicros").asLong();
    final JsonNode cutSpend = awaitSpend("cancel-e2e", STREAMS);
    assertThat(cutSpend.path("costMicros").asLong()).isPositive().isLessThan(STREAMS * fullCost);
  }

  @Test
  void sameIdempotencyKeyTwiceIsServedOnceAndBilledOnce() throws Exception {
    final Map<String, String> headers =
        Map.of("Idempotency-Key", "retry-e2e-0001", "x-tiergate-feature", "idempotent-e2e");
    final HttpResponse<String> first = probe.chat(headers, BillingProbe.body("Idempotent question", false));
    final HttpResponse<String> second = probe.chat(headers, BillingProbe.body("Idempotent question", false));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    final JsonNode one = BillingProbe.JSON.readTree(first.body());
    final JsonNode two = BillingProbe.JSON.readTree(second.body());
    assertThat(two.path("id").asText()).isEqualTo(one.path("id").asText());
    assertThat(two.at("/choices/0/message/content").asText())
        .isEqualTo(one.at("/choices/0/message/content").asText());
    final String id = first.headers().firstValue("x-tiergate-request-id").orElseThrow();
    assertThat(second.headers().firstValue("x-tiergate-request-id")).contains(id);
    assertThat(stack.simulator().ledger().get(id).map(CallLedger.Entry::started)).contains(1L);
    awaitSpend("idempotent-e2e", 1);
    assertThat(probe.readAll(Topics.USAGE).stream().filter(event -> id.equals(event.getCorrelationId())))
        .hasSize(1);
  }

  @Test
  void streamedRepeatOfAnIdempotentRequestReplaysTheAnswer() throws Exception {
    final Map<String, String> headers =
        Map.of("Idempotency-Key", "retry-e2e-stream", "x-tiergate-feature", "idempotent-stream-e2e");
    final HttpResponse<String> first = probe.chat(headers, BillingProbe.body("Streamed idempotent", true));
    final HttpResponse<String> second = probe.chat(headers, BillingProbe.body("Streamed idempotent", true));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(streamedText(second.body())).isEqualTo(streamedText(first.body()));
    final String id = first.headers().firstValue("x-tiergate-request-id").orElseThrow();
    assertThat(second.headers().firstValue("x-tiergate-request-id")).contains(id);
    assertThat(stack.simulator().ledger().get(id).map(CallLedger.Entry::started)).contains(1L);
  }

  @Test
  void malformedIdempotencyKeyIs400() throws Exception {
    final HttpResponse<String> response =
        probe.chat(Map.of("Idempotency-Key", "x".repeat(300)), BillingProbe.body("Bad key", false));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(BillingProbe.JSON.readTree(response.body()).at("/error/type").asText())
        .isEqualTo("invalid_request_error");
  }

  /** Opens a stream on a raw socket, reads up to its first content chunk, and drops the connection. */
  private static Cut streamAndCut() {
    final URI ingress = URI.create(stack.ingressUrl());
    final byte[] body = BillingProbe.body(PROMPT, true).getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(ingress.getHost(), ingress.getPort())) {
      socket.setSoTimeout(30_000);
      final OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\n"
              + "Host: " + ingress.getHost() + "\r\n"
              + "Authorization: Bearer " + BillingProbe.KEY + "\r\n"
              + "Content-Type: application/json\r\n"
              + "x-tiergate-feature: cancel-e2e\r\n"
              + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      final BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String requestId = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        final String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("x-tiergate-request-id:")) {
          requestId = line.substring(line.indexOf(':') + 1).trim();
        }
        if (line.startsWith("data: ") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
          return new Cut(requestId, Instant.now());
        }
      }
      throw new IllegalStateException("the stream ended before its first content chunk");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String streamedText(final String sse) throws Exception {
    final StringBuilder text = new StringBuilder();
    for (final String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        text.append(BillingProbe.JSON.readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
      }
    }
    return text.toString();
  }

  private static UsageEvent awaitUsage(final String id) {
    return awaitUsage(List.of(id)).get(id);
  }

  private static Map<String, UsageEvent> awaitUsage(final List<String> ids) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> probe.readAll(Topics.USAGE).stream()
                .filter(event -> ids.contains(event.getCorrelationId()))
                .collect(Collectors.toMap(UsageEvent::getCorrelationId, e -> e, (a, b) -> a)),
            found -> found.size() == ids.size());
  }

  private static JsonNode awaitSpend(final String feature, final long requests) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> Optional.ofNullable(probe.featureSpend(feature)),
            row -> row.map(r -> r.path("requests").asLong() == requests).orElse(false))
        .orElseThrow();
  }

  private record Cut(String requestId, Instant at) {}
}
