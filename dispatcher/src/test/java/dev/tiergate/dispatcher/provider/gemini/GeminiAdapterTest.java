package dev.tiergate.dispatcher.provider.gemini;

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
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ToolCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against request and response bodies shaped like the Gemini API reference. */
class GeminiAdapterTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final GeminiAdapter adapter = new GeminiAdapter(mapper);

  @Test
  void translatesTheConversationToContentsToolsAndGenerationConfig() throws IOException {
    final ProviderRequest call =
        adapter.buildRequest(
            fullRequest(reasoning("gemini-thought", "gemini", "sig-gemini")), "gemini-2.5-flash", Map.of(), false);

    assertThat(call.path()).isEqualTo("/models/gemini-2.5-flash:generateContent");
    assertThat(mapper.readTree(call.body())).isEqualTo(mapper.readTree(bytes("gemini/request-full.json")));
  }

  @Test
  void streamsOverSse() {
    final ProviderRequest call = adapter.buildRequest(chat("req_1").build(), "gemini-2.5-pro", Map.of(), true);

    assertThat(call.path()).isEqualTo("/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
  }

  @Test
  void refusesAModelNameThatWouldChangeThePathOrQuery() {
    for (final String name : List.of("x:generateContent?key=1#", "../../v1/files", "a/b", "m?alt=json", ".hidden")) {
      assertThatThrownBy(() -> adapter.buildRequest(chat("req_1").build(), name, Map.of(), false))
          .as(name)
          .isInstanceOfSatisfying(ProviderFailure.class,
              failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.INVALID_REQUEST));
    }
  }

  @Test
  void reasoningOfAnotherFormatLeavesNoTraceInTheRequest() throws IOException {
    final JsonNode body =
        mapper.readTree(
            adapter
                .buildRequest(
                    fullRequest(reasoning("anthropic-thinking", "claude", "sig-claude")),
                    "gemini-2.5-flash",
                    Map.of(),
                    false)
                .body());

    assertThat(body.toString()).doesNotContain("hmm").doesNotContain("sig-claude").doesNotContain("thoughtSignature");
  }

  @Test
  void sendsTheKeyAsXGoogApiKey() {
    assertThat(adapter.authHeaders("AIza-test")).containsExactly(Map.entry("x-goog-api-key", "AIza-test"));
  }

  @Test
  void parsesFunctionCallThoughtsSignatureAndNormalizesUsage() throws IOException {
    final ProviderReply reply = adapter.parseResponse(bytes("gemini/response-function-call.json"));

    assertThat(reply.content()).isNull();
    assertThat(reply.reasoning()).isEqualTo("I need the weather first.");
    assertThat(reply.reasoningSignature()).isEqualTo("CiQB0e2Kb3dRh+BYdbZvmulSN2Pwwc75DfQOwNI");
    assertThat(reply.toolCalls())
        .containsExactly(
            ToolCall.newBuilder()
                .setId("call_0_get_weather")
                .setName("get_weather")
                .setArgumentsJson("{\"location\":\"Paris\"}")
                .build());
    assertThat(reply.finishReason()).isEqualTo("tool_calls");
    // prompt 120 already holds the 64 cached; output = 15 candidates + 40 thoughts.
    assertThat(reply.usage()).contains(usage(120, 55, 64, 40));
  }

  @Test
  void mapsFinishReasons() {
    assertThat(finish("STOP")).isEqualTo("stop");
    assertThat(finish("MAX_TOKENS")).isEqualTo("length");
    assertThat(finish("SAFETY")).isEqualTo("content_filter");
  }

  @Test
  void decodesTheSseStreamAndEndsOnTheFinishReason() throws IOException {
    final StreamDecoder decoder = adapter.newStreamDecoder();
    final List<StreamDelta> deltas = decode(decoder, bytes("gemini/stream-text.sse"));
    final ProviderReply reply = assemble(deltas);

    assertThat(decoder.complete()).isTrue();
    assertThat(reply.content()).isEqualTo("The quick brown fox jumps.");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.usage()).contains(usage(8, 15, 0, 5));
  }

  private String finish(final String reason) {
    final String body =
        "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}],\"role\":\"model\"},\"finishReason\":\""
            + reason
            + "\"}]}";
    return adapter.parseResponse(body.getBytes(StandardCharsets.UTF_8)).finishReason();
  }
}
