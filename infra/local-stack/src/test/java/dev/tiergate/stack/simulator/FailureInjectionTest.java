package dev.tiergate.stack.simulator;

import static dev.tiergate.stack.simulator.SimulatorHttp.chat;
import static dev.tiergate.stack.simulator.SimulatorHttp.dataLines;
import static dev.tiergate.stack.simulator.SimulatorHttp.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FailureInjectionTest {

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
  void forced429CarriesRetryAfterAndOpenAiErrorJson() {
    final HttpResponse<String> response =
        http.post("/v1/chat/completions", chat("gpt-4.1", "hi"), Map.of("x-sim-fail", "429"));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).contains("1");
    assertThat(response.headers().firstValue("retry-after-ms")).contains("1000");
    final JsonNode error = parse(response.body()).path("error");
    assertThat(error.path("message").asText()).contains("Rate limit reached for gpt-4.1");
    assertThat(error.path("type").asText()).isEqualTo("requests");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.has("param")).isTrue();
  }

  @Test
  void forced500IsAServerErrorAndStillCounted() {
    final long before = simulator.calls("fail-model");

    final HttpResponse<String> response =
        http.post("/v1/chat/completions", chat("fail-model", "hi"), Map.of("x-sim-fail", "500"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(parse(response.body()).path("error").path("type").asText()).isEqualTo("server_error");
    assertThat(response.headers().firstValue("retry-after")).isEmpty();
    assertThat(simulator.calls("fail-model")).isEqualTo(before + 1);
  }

  @Test
  void aSimFailModelAlwaysFailsWithAMessageNamingAHostAndAnOrganisation() {
    for (final int status : List.of(400, 429, 500, 503)) {
      final HttpResponse<String> response =
          http.post("/v1/chat/completions", chat("sim-fail-" + status, "hi"), Map.of());

      assertThat(response.statusCode()).isEqualTo(status);
      assertThat(parse(response.body()).path("error").path("message").asText())
          .contains(ProviderSimulator.LEAKY_ERROR_DETAIL);
    }
    assertThat(http.post("/v1/chat/completions", chat("sim-fail-404", "hi"), Map.of()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void rejectsMalformedJsonWith400() {
    final HttpResponse<String> response = http.post("{\"model\": \"gpt-4.1\", \"messages\": [");

    assertThat(response.statusCode()).isEqualTo(400);
    final JsonNode error = parse(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asText()).contains("could not parse the JSON body");
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
  }

  @Test
  void rejectsARequestWithoutMessagesWith400NamingTheParam() {
    final HttpResponse<String> response = http.post("{\"model\": \"gpt-4.1\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(parse(response.body()).path("error").path("param").asText()).isEqualTo("messages");
  }

  @Test
  void rejectsAnUnusableControlHeaderWith400() {
    final HttpResponse<String> response =
        http.post("/v1/chat/completions", chat("gpt-4.1", "hi"), Map.of("x-sim-fail", "418"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(parse(response.body()).path("error").path("message").asText()).contains("x-sim-fail");
  }

  @Test
  void answersAnUnknownPathWith404InOpenAiErrorJson() {
    final HttpResponse<String> response = http.post("/v1/audio/speech", "{}", Map.of());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(parse(response.body()).path("error").path("message").asText())
        .contains("/v1/audio/speech");
  }

  @Test
  void failureShareWithASeedFailsTheSameCallsAsTheSeededDraws() {
    final SimulatorConfig config = SimulatorConfig.defaults().withFailures(0.3, 0.5, 7L);
    final FaultInjector expected = new FaultInjector(config);
    final List<Integer> expectedStatuses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      expectedStatuses.add(expected.next().map(SimulatedError::status).orElse(200));
    }

    final List<Integer> statuses = statusesOf(config, 60);

    assertThat(statuses).isEqualTo(expectedStatuses);
    final long failed = statuses.stream().filter(s -> s != 200).count();
    assertThat(failed).isBetween(8L, 30L);
    assertThat(statuses).contains(429, 500);
  }

  @Test
  void sameSeedGivesSameFailuresAndAnotherSeedDoesNot() {
    final SimulatorConfig config = SimulatorConfig.defaults().withFailures(0.5, 0.5, 11L);

    final List<Integer> first = statusesOf(config, 40);
    final List<Integer> second = statusesOf(config, 40);
    final List<Integer> otherSeed = statusesOf(config.withFailures(0.5, 0.5, 12L), 40);

    assertThat(second).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  @Test
  void headerOverridesTheDrawWithoutConsumingIt() {
    final SimulatorConfig always = SimulatorConfig.defaults().withFailures(1.0, 1.0, 3L);
    try (ProviderSimulator failing = ProviderSimulator.start(always)) {
      final SimulatorHttp client = new SimulatorHttp(failing.baseUrl());

      final int forcedOk =
          client.post("/v1/chat/completions", chat("m", "hi"), Map.of("x-sim-fail", "none"))
              .statusCode();
      final int drawn = client.post(chat("m", "hi")).statusCode();

      assertThat(forcedOk).isEqualTo(200);
      assertThat(drawn).isEqualTo(429);
    }
  }

  @Test
  void latencyHeaderDelaysOnlyThatRequest() {
    final CompletableFuture<HttpResponse<String>> slow =
        http.client().sendAsync(
            http.request("/v1/chat/completions", chat("slow", "hi"), Map.of("x-sim-latency-ms", "3000")),
            HttpResponse.BodyHandlers.ofString());

    final HttpResponse<String> fast = http.post(chat("fast", "hi"));

    assertThat(fast.statusCode()).isEqualTo(200);
    assertThat(slow).isNotDone();
    assertThat(slow.orTimeout(30, TimeUnit.SECONDS).join().statusCode()).isEqualTo(200);
  }

  @Test
  void abortsAStreamAfterTheRequestedEventsWithoutDone() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Stream and break"));
    request.put("stream", true);
    final List<String> received = new ArrayList<>();

    assertThatThrownBy(
            () ->
                http.client()
                    .send(
                        http.request(
                            "/v1/chat/completions",
                            request.toString(),
                            Map.of("x-sim-stream-abort-after", "2")),
                        HttpResponse.BodyHandlers.ofLines())
                    .body()
                    .forEach(received::add))
        .isInstanceOfAny(IOException.class, UncheckedIOException.class);
    assertThat(dataLines(String.join("\n", received))).hasSize(2).doesNotContain("[DONE]");
  }

  @Test
  void chunkIntervalStillDeliversTheWholeStream() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Stream slowly"));
    request.put("stream", true);

    final HttpResponse<String> response =
        http.post("/v1/chat/completions", request.toString(), Map.of("x-sim-chunk-interval-ms", "5"));

    final List<String> data = dataLines(response.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    assertThat(data.size()).isGreaterThan(3);
  }

  private static List<Integer> statusesOf(final SimulatorConfig config, final int calls) {
    try (ProviderSimulator sim = ProviderSimulator.start(config)) {
      final SimulatorHttp client = new SimulatorHttp(sim.baseUrl());
      final List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        statuses.add(client.post(chat("m", "call " + i)).statusCode());
      }
      assertThat(sim.calls("m")).isEqualTo(calls);
      return statuses.stream().collect(Collectors.toList());
    }
  }
}
