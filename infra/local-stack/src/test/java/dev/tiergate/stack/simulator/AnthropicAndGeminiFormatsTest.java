package dev.tiergate.stack.simulator;

import static dev.tiergate.stack.simulator.SimulatorHttp.dataLines;
import static dev.tiergate.stack.simulator.SimulatorHttp.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator speaking Anthropic Messages and Gemini generateContent, faults included. */
class AnthropicAndGeminiFormatsTest {

  private static final String CLAUDE_REQUEST =
      """
      {"model":"claude-sonnet-4-5","max_tokens":1024,"system":"Be brief.",
       "messages":[{"role":"user","content":[{"type":"text","text":"Hello, Claude"}]}]}""";
  private static final String CLAUDE_TOOL_REQUEST =
      """
      {"model":"claude-tools","max_tokens":512,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},
       "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
       "tool_choice":{"type":"any"},
       "messages":[{"role":"user","content":"What is the weather?"}]}""";
  private static final String GEMINI_REQUEST =
      """
      {"contents":[{"role":"user","parts":[{"text":"Explain how AI works"}]}],
       "generationConfig":{"thinkingConfig":{"thinkingBudget":1024}}}""";
  private static final String GEMINI_TOOL_REQUEST =
      """
      {"contents":[{"role":"user","parts":[{"text":"Schedule it"}]}],
       "tools":[{"functionDeclarations":[{"name":"schedule_meeting","parameters":{"type":"object",
         "properties":{"time":{"type":"string"}}}}]}],
       "toolConfig":{"functionCallingConfig":{"mode":"ANY"}}}""";

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
  void answersAnthropicMessagesWithUsageSplitTheAnthropicWay() {
    final HttpResponse<String> response = http.post("/anthropic/v1/messages", CLAUDE_REQUEST, Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = parse(response.body());
    assertThat(body.path("type").asText()).isEqualTo("message");
    assertThat(body.path("id").asText()).startsWith("msg_");
    assertThat(body.path("content").path(0).path("type").asText()).isEqualTo("text");
    assertThat(body.path("content").path(0).path("text").asText()).contains("Hello, Claude");
    assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(body.path("usage").path("input_tokens").asInt()).isPositive();
    assertThat(body.path("usage").has("cache_read_input_tokens")).isTrue();
    assertThat(simulator.calls("claude-sonnet-4-5")).isEqualTo(1);
  }

  @Test
  void streamsAnthropicThinkingAndToolUseAsNamedEvents() {
    final HttpResponse<String> response = http.post("/anthropic/v1/messages", CLAUDE_TOOL_REQUEST, Map.of());

    final List<String> names =
        response.body().lines().filter(line -> line.startsWith("event: ")).map(line -> line.substring(7)).toList();
    assertThat(names.get(0)).isEqualTo("message_start");
    assertThat(names).contains("content_block_delta", "message_delta").endsWith("message_stop");
    assertThat(response.body()).contains("\"signature_delta\"").contains("\"input_json_delta\"");
    final JsonNode delta =
        dataLines(response.body()).stream().map(SimulatorHttp::parse)
            .filter(event -> event.path("type").asText().equals("message_delta")).findFirst().orElseThrow();
    assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(delta.path("usage").path("output_tokens").asInt()).isPositive();
  }

  @Test
  void rejectsAnAnthropicRequestWithoutMaxTokensInAnthropicsErrorShape() {
    final HttpResponse<String> response =
        http.post("/v1/messages", "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", Map.of());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(parse(response.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void anAnthropic429CarriesRetryAfterAndTheRateLimitErrorType() {
    final HttpResponse<String> response =
        http.post("/v1/messages", CLAUDE_REQUEST.replace("claude-sonnet-4-5", "claude-limited"), Map.of("x-sim-fail", "429"));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).isPresent();
    assertThat(parse(response.body()).path("error").path("type").asText()).isEqualTo("rate_limit_error");
  }

  @Test
  void answersGeminiGenerateContentWithThoughtsCountedApart() {
    final HttpResponse<String> response =
        http.post("/google/v1beta/models/gemini-2.5-flash:generateContent", GEMINI_REQUEST, Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    final JsonNode body = parse(response.body());
    final JsonNode candidate = body.path("candidates").path(0);
    assertThat(candidate.path("content").path("role").asText()).isEqualTo("model");
    assertThat(candidate.path("content").path("parts").path(0).path("text").asText()).contains("Explain how AI works");
    assertThat(candidate.path("finishReason").asText()).isEqualTo("STOP");
    final JsonNode usage = body.path("usageMetadata");
    assertThat(usage.path("thoughtsTokenCount").asInt()).isPositive();
    assertThat(usage.path("promptTokenCount").asInt() + usage.path("candidatesTokenCount").asInt()
            + usage.path("thoughtsTokenCount").asInt())
        .isEqualTo(usage.path("totalTokenCount").asInt());
    assertThat(simulator.calls("gemini-2.5-flash")).isEqualTo(1);
  }

  @Test
  void streamsGeminiOverSseEndingWithFinishReasonAndUsage() {
    final HttpResponse<String> response =
        http.post("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", GEMINI_REQUEST, Map.of());

    final List<JsonNode> chunks = dataLines(response.body()).stream().map(String::strip).map(SimulatorHttp::parse).toList();
    assertThat(chunks).hasSizeGreaterThan(1);
    final JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.path("candidates").path(0).path("finishReason").asText()).isEqualTo("STOP");
    assertThat(last.path("usageMetadata").path("totalTokenCount").asInt()).isPositive();
    assertThat(chunks.get(0).path("candidates").path(0).has("finishReason")).isFalse();
  }

  @Test
  void answersAGeminiFunctionCallWithAThoughtSignature() {
    final HttpResponse<String> response =
        http.post("/v1beta/models/gemini-tools:generateContent", GEMINI_TOOL_REQUEST, Map.of());

    final JsonNode part = parse(response.body()).path("candidates").path(0).path("content").path("parts").path(0);
    assertThat(part.path("functionCall").path("name").asText()).isEqualTo("schedule_meeting");
    assertThat(part.path("functionCall").path("args").isObject()).isTrue();
    assertThat(part.path("thoughtSignature").asText()).startsWith("sim-sig-");
  }

  @Test
  void aGemini500UsesGooglesErrorShape() {
    final HttpResponse<String> response =
        http.post("/v1beta/models/gemini-x:generateContent", GEMINI_REQUEST, Map.of("x-sim-fail", "500"));

    assertThat(response.statusCode()).isEqualTo(500);
    final JsonNode error = parse(response.body()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(500);
    assertThat(error.path("status").asText()).isEqualTo("INTERNAL");
  }
}
