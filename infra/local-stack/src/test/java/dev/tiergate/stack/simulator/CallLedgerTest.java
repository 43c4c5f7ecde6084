package dev.tiergate.stack.simulator;

import static dev.tiergate.stack.simulator.SimulatorHttp.chat;
import static dev.tiergate.stack.simulator.SimulatorHttp.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CallLedgerTest {

  private static ProviderSimulator simulator;
  private static SimulatorHttp http;

  @BeforeAll
  static void startSimulator() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    http = new SimulatorHttp(simulator.baseUrl());
  }

  @AfterAll
  static void stopSimulator() {
    simulator.close();
  }

  @Test
  void countsRepeatedCallsForOneRequestId() {
    http.post("/v1/chat/completions", chat("gpt-4.1", "once"), Map.of("x-client-request-id", "req_twice"));
    http.post("/v1/chat/completions", chat("gpt-4.1", "again"), Map.of("x-client-request-id", "req_twice"));
    http.post("/v1/chat/completions", chat("gpt-4.1", "other"), Map.of("x-client-request-id", "req_once"));

    assertThat(simulator.ledger().get("req_twice")).hasValueSatisfying(entry -> {
      assertThat(entry.started()).isEqualTo(2);
      assertThat(entry.completed()).isEqualTo(2);
      assertThat(entry.aborted()).isZero();
    });
    assertThat(simulator.ledger().get("req_once")).map(CallLedger.Entry::started).contains(1L);
  }

  @Test
  void servesTheLedgerOverHttp() throws Exception {
    http.post("/v1/chat/completions", chat("gpt-4.1", "hi"), Map.of("x-client-request-id", "req_http"));

    final HttpResponse<String> response = http.client().send(
        HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/_sim/calls")).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode ledger = parse(response.body());
    assertThat(ledger.at("/calls/req_http/started").asLong()).isEqualTo(1);
    assertThat(ledger.at("/calls/req_http/completed").asLong()).isEqualTo(1);
    assertThat(ledger.at("/totals/started").asLong()).isPositive();
  }

  @Test
  void streamCutByTheClientIsCountedAsAborted() throws IOException {
    final String body = "{\"model\":\"gpt-4.1\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"a long story please\"}]}";
    try (Socket socket = new Socket("127.0.0.1", simulator.port())) {
      write(socket.getOutputStream(), body,
          "x-client-request-id: req_cut\r\nx-sim-chunk-interval-ms: 300\r\n");
      readUntil(socket.getInputStream(), "data:");
    }

    await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(simulator.ledger().get("req_cut")).hasValueSatisfying(entry -> {
          assertThat(entry.aborted()).isEqualTo(1);
          assertThat(entry.completed()).isZero();
        }));
  }

  @Test
  void callAbandonedWhileTheProviderThinksIsCountedAsAborted() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", simulator.port())) {
      write(socket.getOutputStream(), chat("gpt-4.1", "slow"),
          "x-client-request-id: req_gone\r\nx-sim-latency-ms: 5000\r\n");
      await().atMost(Duration.ofSeconds(3))
          .until(() -> simulator.ledger().get("req_gone").isPresent());
    }

    await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(simulator.ledger().get("req_gone")).map(CallLedger.Entry::aborted).contains(1L));
  }

  private static void write(final OutputStream out, final String body, final String extraHeaders)
      throws IOException {
    final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    final String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n"
        + extraHeaders + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  private static void readUntil(final InputStream in, final String marker) throws IOException {
    final StringBuilder seen = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      seen.append((char) b);
      if (seen.indexOf(marker) >= 0) {
        return;
      }
    }
    throw new IOException("connection closed before " + marker);
  }
}
