package dev.tiergate.dispatcher.provider.openai;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderRequest;
import dev.tiergate.dispatcher.provider.ReplyAssembler;
import dev.tiergate.dispatcher.provider.SseDecoder;
import dev.tiergate.dispatcher.provider.SseEvent;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.ToolDefinition;
import dev.tiergate.schemas.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiChatAdapterTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final OpenAiChatAdapter adapter = OpenAiChatAdapter.openAi(mapper);

  @Test
  void translatesRolesPartsToolsAndSamplingToChatCompletions() throws IOException {
    final ProviderRequest call = adapter.buildRequest(fullRequest(), "gpt-5-mini", Map.of(), false);

    assertThat(call.path()).isEqualTo("/chat/completions");
    assertThat(mapper.readTree(call.body())).isEqualTo(fixture("request-full.json"));
    assertThat(call.headers()).doesNotContainKey("authorization");
  }

  @Test
  void asksForUsageWhenStreaming() throws IOException {
    final JsonNode body =
        mapper.readTree(adapter.buildRequest(chat("req_1").build(), "gpt-5", Map.of(), true).body());

    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void takesReasoningEffortFromTheRouteUnlessTheCallerSetOne() throws IOException {
    final ChatRequest unset = chat("req_1").build();
    final ChatRequest set =
        chat("req_2").setSampling(SamplingParams.newBuilder().setReasoningEffort("minimal").build()).build();
    final Map<String, String> route = Map.of("reasoning_effort", "high");

    assertThat(body(unset, route).path("reasoning_effort").asText()).isEqualTo("high");
    assertThat(body(set, route).path("reasoning_effort").asText()).isEqualTo("minimal");
  }

  @Test
  void compatibleServersGetMaxTokens() throws IOException {
    final ChatRequest request =
        chat("req_1").setSampling(SamplingParams.newBuilder().setMaxTokens(64).build()).build();
    final JsonNode body =
        mapper.readTree(OpenAiChatAdapter.compatible(mapper).buildRequest(request, "m", Map.of(), false).body());

    assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.has("max_completion_tokens")).isFalse();
  }

  @Test
  void rejectsToolParametersThatAreNotJson() {
    final ChatRequest request =
        chat("req_1")
            .setTools(List.of(ToolDefinition.newBuilder().setName("t").setParametersJson("{oops").build()))
            .build();

    assertThatThrownBy(() -> adapter.buildRequest(request, "m", Map.of(), false))
        .isInstanceOfSatisfying(
            ProviderFailure.class, f -> assertThat(f.kind()).isEqualTo(ProviderFailure.Kind.INVALID_REQUEST));
  }

  @Test
  void sendsTheKeyAsBearer() {
    assertThat(adapter.authHeaders("sk-test")).containsEntry("authorization", "Bearer sk-test");
  }

  @Test
  void parsesToolCallsFinishReasonAndDetailedUsage() throws IOException {
    final ProviderReply reply = adapter.parseResponse(bytes("response-tool-calls.json"));

    assertThat(reply.content()).isNull();
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    assertThat(reply.toolCalls())
        .containsExactly(
            ToolCall.newBuilder().setId("call_a").setName("get_weather").setArgumentsJson("{\"city\":\"Paris\"}").build(),
            ToolCall.newBuilder().setId("call_b").setName("get_time").setArgumentsJson("{}").build());
    assertThat(reply.usage()).contains(usage(1200, 300, 1024, 192));
  }

  @Test
  void parsesTextAnswerWithoutUsage() {
    final ProviderReply reply =
        adapter.parseResponse(
            """
            {"choices":[{"message":{"role":"assistant","content":"hello","reasoning_content":"think"},
                         "finish_reason":"length"}]}"""
                .getBytes(StandardCharsets.UTF_8));

    assertThat(reply.content()).isEqualTo("hello");
    assertThat(reply.reasoning()).isEqualTo("think");
    assertThat(reply.finishReason()).isEqualTo("length");
    assertThat(reply.usage()).isEmpty();
  }

  @Test
  void refusalBecomesTheContent() {
    final ProviderReply reply =
        adapter.parseResponse(
            """
            {"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help"},
                         "finish_reason":"stop"}]}"""
                .getBytes(StandardCharsets.UTF_8));

    assertThat(reply.content()).isEqualTo("I can't help");
  }

  @Test
  void answerWithoutChoicesIsAnInvalidResponse() {
    assertThatThrownBy(() -> adapter.parseResponse("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            ProviderFailure.class, f -> assertThat(f.kind()).isEqualTo(ProviderFailure.Kind.INVALID_RESPONSE));
  }

  @Test
  void readsTheProviderErrorMessage() {
    assertThat(adapter.errorMessage("{\"error\":{\"message\":\"model not found\"}}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("model not found");
    assertThat(adapter.errorMessage("Bad Gateway".getBytes(StandardCharsets.UTF_8))).isEqualTo("Bad Gateway");
  }

  @Test
  void decodesAStreamIntoDeltasAndAssemblesTheReply() throws IOException {
    final StreamDecoder decoder = adapter.newStreamDecoder();
    final List<StreamDelta> deltas = new ArrayList<>();
    for (final SseEvent event : new SseDecoder().feed(bytes("stream-tool-call.sse"))) {
      deltas.addAll(decoder.decode(event));
    }
    final ReplyAssembler assembler = new ReplyAssembler();
    deltas.forEach(assembler::add);
    final ProviderReply reply = assembler.reply();

    assertThat(decoder.complete()).isTrue();
    assertThat(deltas).filteredOn(StreamDelta::hasPayload).hasSize(5);
    assertThat(reply.content()).isEqualTo("Checking now.");
    assertThat(reply.toolCalls())
        .containsExactly(
            ToolCall.newBuilder().setId("call_a").setName("get_weather").setArgumentsJson("{\"city\":\"Paris\"}").build());
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    assertThat(reply.usage()).contains(usage(80, 20, 64, 8));
  }

  @Test
  void streamErrorEventFails() {
    final StreamDecoder decoder = adapter.newStreamDecoder();

    assertThatThrownBy(() -> decoder.decode(new SseEvent(null, "{\"error\":{\"message\":\"overloaded\"}}")))
        .isInstanceOf(ProviderFailure.class)
        .hasMessageContaining("overloaded");
    assertThat(decoder.complete()).isFalse();
  }

  private JsonNode body(final ChatRequest request, final Map<String, String> route) throws IOException {
    return mapper.readTree(adapter.buildRequest(request, "gpt-5", route, false).body());
  }

  private static ChatRequest fullRequest() {
    final ContentPart image =
        ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl("https://example.com/cat.png").build();
    final ContentPart weatherCall =
        ContentPart.newBuilder()
            .setType(PartType.TOOL_CALL)
            .setToolCallId("call_1")
            .setToolName("get_weather")
            .setToolArgumentsJson("{\"city\":\"Paris\"}")
            .build();
    final ContentPart reasoning =
        ContentPart.newBuilder().setType(PartType.REASONING).setText("hmm").setReasoningFormat("anthropic-thinking").build();
    final ContentPart calcCall =
        ContentPart.newBuilder().setType(PartType.TOOL_CALL).setToolCallId("call_2").setToolName("calc").build();
    final var user = message("user", text("What is in this image?"), image);
    user.setName("ada");
    return chat("req_full")
        .setMessages(
            List.of(
                message("system", text("You are terse.")),
                user,
                message("assistant", reasoning, text("Let me check the weather."), weatherCall),
                message("tool", toolResult("call_1", "sunny")),
                message("assistant", calcCall),
                message("user", toolResult("call_2", "42"), text("thanks"))))
        .setTools(
            List.of(
                ToolDefinition.newBuilder()
                    .setName("get_weather")
                    .setDescription("Weather for a city")
                    .setParametersJson(
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")
                    .build(),
                ToolDefinition.newBuilder().setName("calc").build()))
        .setToolChoiceJson("\"auto\"")
        .setSampling(
            SamplingParams.newBuilder()
                .setTemperature(0.2)
                .setTopP(0.9)
                .setMaxTokens(256)
                .setStop(List.of("END"))
                .setSeed(7L)
                .setResponseFormatJson(
                    "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"schema\":{\"type\":\"object\"}}}")
                .setReasoningEffort("low")
                .build())
        .build();
  }

  private static ContentPart toolResult(final String callId, final String text) {
    return ContentPart.newBuilder().setType(PartType.TOOL_RESULT).setToolCallId(callId).setText(text).build();
  }

  private static Usage usage(final long in, final long out, final long cached, final long reasoning) {
    return Usage.newBuilder()
        .setInputTokens(in)
        .setOutputTokens(out)
        .setCachedInputTokens(cached)
        .setReasoningTokens(reasoning)
        .build();
  }

  private JsonNode fixture(final String name) throws IOException {
    return mapper.readTree(bytes(name));
  }

  private static byte[] bytes(final String name) throws IOException {
    try (InputStream in = OpenAiChatAdapterTest.class.getResourceAsStream("/openai/" + name)) {
      if (in == null) {
        throw new IOException("missing fixture " + name);
      }
      return in.readAllBytes();
    }
  }
}
