package dev.tiergate.ingress.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Anthropic's SSE framing: named events, block boundaries, the closing message_delta. */
class AnthropicStreamTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String ID = "req_anthropic";

  private final AnthropicStream stream =
      new AnthropicStream(new AnthropicJson(MAPPER), ID, "auto/balanced", HttpReplies::asGatewayError);

  private record Event(String name, JsonNode data) {}

  private List<Event> render(final ReplyEvent... events) throws Exception {
    final String text = String.join("", stream.render(Flux.just(events)).collectList().block());
    final List<Event> parsed = new ArrayList<>();
    for (final String frame : text.split("\n\n")) {
      final String[] lines = frame.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      final Event event = new Event(lines[0].substring(7), MAPPER.readTree(lines[1].substring(6)));
      assertThat(event.data().path("type").asText()).isEqualTo(event.name());
      parsed.add(event);
    }
    assertThat(text).endsWith("\n\n");
    return parsed;
  }

  private static List<String> names(final List<Event> events) {
    return events.stream().map(Event::name).toList();
  }

  private static ReplyEvent chunk(final ChatChunk chunk) {
    return new ReplyEvent.Chunk(chunk);
  }

  @Test
  void framesATextStreamAsOneTextBlockBetweenMessageStartAndStop() throws Exception {
    final List<Event> events =
        render(
            chunk(Fixtures.chunk(ID, 0, "Hel")),
            chunk(Fixtures.chunk(ID, 1, "lo")),
            chunk(Fixtures.lastChunk(ID, 2)));

    assertThat(names(events))
        .containsExactly(
            "message_start", "content_block_start", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop");
    assertThat(events.get(0).data().at("/message/model").asText()).isEqualTo(Fixtures.SERVED_MODEL);
    assertThat(events.get(0).data().at("/message/id").asText()).isEqualTo(ID);
    assertThat(events.get(1).data().at("/content_block/type").asText()).isEqualTo("text");
    assertThat(events.get(2).data().at("/delta/type").asText()).isEqualTo("text_delta");
    assertThat(events.get(2).data().at("/delta/text").asText()).isEqualTo("Hel");
    final JsonNode delta = events.get(5).data();
    assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
    assertThat(delta.at("/usage/output_tokens").asLong()).isEqualTo(30);
    assertThat(delta.at("/usage/input_tokens").asLong()).isEqualTo(20);
    assertThat(delta.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(100);
  }

  @Test
  void keepsThinkingWithItsSignatureInItsOwnBlockBeforeTheText() throws Exception {
    final ChatChunk thinking =
        ChatChunk.newBuilder(Fixtures.chunk(ID, 0, null)).setReasoningDelta("Consider").build();
    final ChatChunk signature =
        ChatChunk.newBuilder(Fixtures.chunk(ID, 1, null)).setReasoningSignature("sig-1").build();

    final List<Event> events =
        render(chunk(thinking), chunk(signature), chunk(Fixtures.chunk(ID, 2, "Answer")),
            chunk(Fixtures.lastChunk(ID, 3)));

    assertThat(names(events))
        .containsExactly(
            "message_start", "content_block_start", "content_block_delta", "content_block_delta",
            "content_block_stop", "content_block_start", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop");
    assertThat(events.get(1).data().at("/content_block/type").asText()).isEqualTo("thinking");
    assertThat(events.get(2).data().at("/delta/thinking").asText()).isEqualTo("Consider");
    assertThat(events.get(3).data().at("/delta/type").asText()).isEqualTo("signature_delta");
    assertThat(events.get(3).data().at("/delta/signature").asText()).isEqualTo("sig-1");
    assertThat(events.get(5).data().path("index").asInt()).isEqualTo(1);
  }

  @Test
  void streamsToolCallsAsToolUseBlocksWithInputJsonDeltas() throws Exception {
    final ChatChunk start =
        ChatChunk.newBuilder(Fixtures.chunk(ID, 0, null))
            .setToolCallIndex(0).setToolCallId("call_1").setToolName("get_weather")
            .setToolArgumentsDelta("{\"city\":")
            .build();
    final ChatChunk rest =
        ChatChunk.newBuilder(Fixtures.chunk(ID, 1, null))
            .setToolCallIndex(0).setToolArgumentsDelta("\"Oslo\"}").build();
    final ChatChunk last =
        ChatChunk.newBuilder(Fixtures.lastChunk(ID, 2)).setFinishReason("tool_calls").build();

    final List<Event> events = render(chunk(start), chunk(rest), chunk(last));

    assertThat(names(events))
        .containsExactly(
            "message_start", "content_block_start", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop");
    final JsonNode block = events.get(1).data().path("content_block");
    assertThat(block.path("type").asText()).isEqualTo("tool_use");
    assertThat(block.path("id").asText()).isEqualTo("call_1");
    assertThat(block.path("name").asText()).isEqualTo("get_weather");
    assertThat(events.get(2).data().at("/delta/type").asText()).isEqualTo("input_json_delta");
    assertThat(
            events.get(2).data().at("/delta/partial_json").asText()
                + events.get(3).data().at("/delta/partial_json").asText())
        .isEqualTo("{\"city\":\"Oslo\"}");
    assertThat(events.get(5).data().at("/delta/stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void replaysAFinalResponseThatCameBeforeAnyChunkAsBlocks() throws Exception {
    final ChatResponse response =
        ChatResponse.newBuilder(Fixtures.response(ID))
            .setToolCalls(List.of(new ToolCall("call_9", "search", "{\"q\":\"x\"}")))
            .setFinishReason("tool_calls")
            .build();

    final List<Event> events = render(new ReplyEvent.Final(response));

    assertThat(names(events))
        .containsExactly(
            "message_start", "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
            "message_stop");
    assertThat(events.get(2).data().at("/delta/text").asText()).isEqualTo("Hello there");
    assertThat(events.get(4).data().at("/content_block/name").asText()).isEqualTo("search");
  }

  @Test
  void endsWithAnErrorEventAndNoMessageStopWhenThePipelineFails() throws Exception {
    final List<Event> events =
        render(
            chunk(Fixtures.chunk(ID, 0, "Hel")),
            new ReplyEvent.Final(Fixtures.errorResponse(ID, "provider_error", 502)));

    assertThat(names(events).get(names(events).size() - 1)).isEqualTo("error");
    assertThat(names(events)).doesNotContain("message_stop");
    final JsonNode error = events.get(events.size() - 1).data();
    assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
    assertThat(error.at("/error/message").asText()).isEqualTo("budget exhausted");
  }
}
