package dev.tiergate.dispatcher.provider.anthropic;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.assemble;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.bytes;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.decode;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.fullRequest;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.reasoning;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderRequest;
import dev.tiergate.dispatcher.provider.SseEvent;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against request and response bodies shaped like Anthropic's Messages API reference. */
class AnthropicMessagesAdapterTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final AnthropicMessagesAdapter adapter = new AnthropicMessagesAdapter(mapper);

  @Test
  void translatesSystemImagesThinkingToolsAndSamplingToMessages() throws IOException {
    final ChatRequest request = fullRequest(reasoning("anthropic-thinking", "claude", "sig-claude"));
    // A cap with room for the low effort's 1,024 thinking tokens and the answer.
    request.getSampling().setMaxTokens(2048);

    final ProviderRequest call = adapter.buildRequest(request, "claude-sonnet-4-5", Map.of(), false);

    assertThat(call.path()).isEqualTo("/messages");
    assertThat(call.headers()).containsEntry("anthropic-version", "2023-06-01").doesNotContainKey("x-api-key");
    assertThat(mapper.readTree(call.body())).isEqualTo(mapper.readTree(bytes("anthropic/request-full.json")));
  }

  @Test
  void skipsReasoningOfAnotherFormatInsteadOfSendingItAsText() throws IOException {
    final ChatRequest request = fullRequest(reasoning("openai-reasoning", "gpt-5", null));

    final JsonNode body = mapper.readTree(adapter.buildRequest(request, "claude", Map.of(), false).body());

    final JsonNode assistant = body.path("messages").path(1).path("content");
    assertThat(assistant.findValuesAsText("type")).containsExactly("text", "tool_use");
    assertThat(body.toString()).doesNotContain("hmm");
  }

  @Test
  void aCallersCapBoundsThinkingAndTextTogether() throws IOException {
    final JsonNode small = sampled(SamplingParams.newBuilder()
        .setMaxTokens(200).setTemperature(0.5).setReasoningEffort("high").build());
    final JsonNode large = sampled(SamplingParams.newBuilder()
        .setMaxTokens(5000).setReasoningEffort("high").build());
    final JsonNode uncapped = sampled(SamplingParams.newBuilder().setReasoningEffort("high").build());

    // 200 tokens leave no room for Anthropic's minimum budget: no thinking, the cap as asked.
    assertThat(small.path("max_tokens").asInt()).isEqualTo(200);
    assertThat(small.has("thinking")).isFalse();
    assertThat(small.path("temperature").asDouble()).isEqualTo(0.5);
    // The high effort's 16,384 shrink to fit under 5,000.
    assertThat(large.path("max_tokens").asInt()).isEqualTo(5000);
    assertThat(large.at("/thinking/budget_tokens").asInt()).isEqualTo(4999);
    // No caller cap: the default cap for the answer plus the whole budget.
    assertThat(uncapped.path("max_tokens").asInt())
        .isEqualTo(AnthropicMessagesAdapter.DEFAULT_MAX_TOKENS + 16384);
    assertThat(uncapped.at("/thinking/budget_tokens").asInt()).isEqualTo(16384);
  }

  private JsonNode sampled(final SamplingParams sampling) throws IOException {
    final ChatRequest request = chat("req_cap").setSampling(sampling).build();
    return mapper.readTree(adapter.buildRequest(request, "claude", Map.of(), false).body());
  }

  @Test
  void withoutEffortSendsTemperatureAndTheDefaultCap() throws IOException {
    final ChatRequest request =
        chat("req_1").setSampling(SamplingParams.newBuilder().setTemperature(0.5).build()).build();

    final JsonNode body = mapper.readTree(adapter.buildRequest(request, "claude", Map.of(), true).body());

    assertThat(body.path("max_tokens").asInt()).isEqualTo(AnthropicMessagesAdapter.DEFAULT_MAX_TOKENS);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
    assertThat(body.has("thinking")).isFalse();
    assertThat(body.path("stream").asBoolean()).isTrue();
  }

  @Test
  void mapsRequiredAndNamedToolChoices() throws IOException {
    final JsonNode required = toolChoice("\"required\"");
    final JsonNode named = toolChoice("{\"type\":\"function\",\"function\":{\"name\":\"calc\"}}");

    assertThat(required.path("type").asText()).isEqualTo("any");
    assertThat(named.path("type").asText()).isEqualTo("tool");
    assertThat(named.path("name").asText()).isEqualTo("calc");
  }

  @Test
  void sendsTheKeyAsXApiKey() {
    assertThat(adapter.authHeaders("sk-ant-test")).containsExactly(Map.entry("x-api-key", "sk-ant-test"));
  }

  @Test
  void parsesThinkingTextToolUseAndNormalizesCachedUsage() throws IOException {
    final ProviderReply reply = adapter.parseResponse(bytes("anthropic/response-tool-use.json"));

    assertThat(reply.content()).isEqualTo("I'll check the current weather in San Francisco for you.");
    assertThat(reply.reasoning()).isEqualTo("The user wants the weather; I should call get_weather.");
    assertThat(reply.reasoningSignature()).startsWith("WaUjzkypQ2mUEVM36O2T");
    assertThat(reply.toolCalls())
        .containsExactly(
            ToolCall.newBuilder()
                .setId("toolu_01A09q90qw90lq917835lq9")
                .setName("get_weather")
                .setArgumentsJson("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}")
                .build());
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    // input 21 + cache write 188 + cache read 1024; the cache read is the cached subset.
    assertThat(reply.usage()).contains(usage(1233, 393, 1024, 0));
  }

  @Test
  void mapsStopReasons() {
    assertThat(finish("end_turn")).isEqualTo("stop");
    assertThat(finish("max_tokens")).isEqualTo("length");
    assertThat(finish("stop_sequence")).isEqualTo("stop");
    assertThat(finish("refusal")).isEqualTo("content_filter");
  }

  @Test
  void decodesTheStreamWithThinkingSignatureAndToolInput() throws IOException {
    final StreamDecoder decoder = adapter.newStreamDecoder();
    final List<StreamDelta> deltas = decode(decoder, bytes("anthropic/stream-tool-use.sse"));
    final ProviderReply reply = assemble(deltas);

    assertThat(decoder.complete()).isTrue();
    assertThat(reply.reasoning()).isEqualTo("Let me look up the weather.");
    assertThat(reply.reasoningSignature()).isEqualTo("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds");
    assertThat(reply.content()).isEqualTo("Okay, let's check the weather for San Francisco, CA:");
    assertThat(reply.toolCalls())
        .containsExactly(
            ToolCall.newBuilder()
                .setId("toolu_01T1x1fJ34qAmk2tNTrN7Up6")
                .setName("get_weather")
                .setArgumentsJson("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}")
                .build());
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    assertThat(reply.usage()).contains(usage(572, 89, 100, 0));
  }

  @Test
  void aStreamWithoutMessageStopIsIncomplete() {
    final StreamDecoder decoder = adapter.newStreamDecoder();
    decoder.decode(new SseEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{}}}"));

    assertThat(decoder.complete()).isFalse();
  }

  @Test
  void anOverloadedErrorEventFailsAsServerError() {
    final StreamDecoder decoder = adapter.newStreamDecoder();

    assertThatThrownBy(
            () ->
                decoder.decode(
                    new SseEvent(
                        "error",
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")))
        .isInstanceOfSatisfying(
            ProviderFailure.class, f -> assertThat(f.kind()).isEqualTo(ProviderFailure.Kind.SERVER_ERROR));
  }

  @Test
  void readsTheErrorMessage() {
    final byte[] body =
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: Field required\"}}"
            .getBytes(StandardCharsets.UTF_8);

    assertThat(adapter.errorMessage(body)).isEqualTo("max_tokens: Field required");
  }

  private JsonNode toolChoice(final String choice) throws IOException {
    final ChatRequest request = chat("req_1").setToolChoiceJson(choice).build();
    return mapper.readTree(adapter.buildRequest(request, "claude", Map.of(), false).body()).path("tool_choice");
  }

  private String finish(final String stopReason) {
    final String body =
        "{\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"stop_reason\":\"" + stopReason + "\"}";
    return adapter.parseResponse(body.getBytes(StandardCharsets.UTF_8)).finishReason();
  }
}
