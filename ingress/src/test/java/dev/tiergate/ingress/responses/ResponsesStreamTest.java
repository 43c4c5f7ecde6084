package dev.tiergate.ingress.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class ResponsesStreamTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String ID = "req_s";

  private final List<ObjectNode> completed = new ArrayList<>();

  private List<JsonNode> render(final String body, final Flux<ReplyEvent> events)
      throws Exception {
    final ResponsesStream stream =
        new ResponsesStream(
            new ResponsesJson(MAPPER), Fixtures.request(ID), MAPPER.readTree(body),
            HttpReplies::asGatewayError, (response, object) -> completed.add(object));
    final List<JsonNode> payloads = new ArrayList<>();
    for (final String frame : stream.render(events).collectList().block()) {
      final String[] lines = frame.split("\n");
      assertThat(frame).endsWith("\n\n");
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      final JsonNode payload = MAPPER.readTree(lines[1].substring("data: ".length()));
      assertThat(payload.path("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
      payloads.add(payload);
    }
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(payloads.get(i).path("sequence_number").asInt()).as("event %d", i).isEqualTo(i);
    }
    return payloads;
  }

  private static List<String> types(final List<JsonNode> events) {
    return events.stream().map(event -> event.path("type").asText()).toList();
  }

  @Test
  void streamsTextAsOneMessageItemWithNumberedEventsAndCompletesWithUsage() throws Exception {
    final List<JsonNode> events =
        render("{\"model\":\"auto/balanced\",\"input\":\"hi\"}",
            Flux.just(
                new ReplyEvent.Chunk(Fixtures.chunk(ID, 0, "Hel")),
                new ReplyEvent.Chunk(Fixtures.chunk(ID, 1, "lo")),
                new ReplyEvent.Chunk(Fixtures.lastChunk(ID, 2)),
                new ReplyEvent.Final(
                    ChatResponse.newBuilder(Fixtures.response(ID)).setContent("Hello").build())));

    assertThat(types(events)).containsExactly(
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(events.get(0).path("response").path("id").asText()).isEqualTo("resp_s");
    assertThat(events.get(0).path("response").path("status").asText()).isEqualTo("in_progress");
    assertThat(events.get(2).path("item").path("id").asText()).isEqualTo("msg_s");
    assertThat(events.get(4).path("item_id").asText()).isEqualTo("msg_s");
    assertThat(events.get(4).path("delta").asText()).isEqualTo("Hel");
    assertThat(events.get(6).path("text").asText()).isEqualTo("Hello");
    assertThat(events.get(8).path("item").path("content").get(0).path("text").asText())
        .isEqualTo("Hello");
    final JsonNode response = events.get(9).path("response");
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("model").asText()).isEqualTo(Fixtures.SERVED_MODEL);
    assertThat(response.path("output")).hasSize(1);
    assertThat(response.path("usage").path("input_tokens").asLong()).isEqualTo(120);
    assertThat(response.path("usage").path("output_tokens").asLong()).isEqualTo(30);
    assertThat(response.path("usage").path("total_tokens").asLong()).isEqualTo(150);
    assertThat(response.path("usage").path("input_tokens_details").path("cached_tokens").asLong())
        .isEqualTo(100);
    assertThat(
            response.path("usage").path("output_tokens_details").path("reasoning_tokens").asLong())
        .isEqualTo(7);
    assertThat(completed).hasSize(1);
    assertThat(MAPPER.readTree(completed.get(0).toString())).isEqualTo(response);
  }

  @Test
  void streamsReasoningThenAFunctionCallWithArgumentDeltas() throws Exception {
    final ChatChunk thinking = ChatChunk.newBuilder().setCorrelationId(ID).setSequence(0)
        .setReasoningDelta("Need weather.").build();
    final ChatChunk call = ChatChunk.newBuilder().setCorrelationId(ID).setSequence(1)
        .setToolCallIndex(0).setToolCallId("call_1").setToolName("get_weather")
        .setToolArgumentsDelta("{\"city\"").build();
    final ChatChunk more = ChatChunk.newBuilder().setCorrelationId(ID).setSequence(2)
        .setToolCallIndex(0).setToolArgumentsDelta(":\"Oslo\"}").build();
    final ChatResponse last = ChatResponse.newBuilder(Fixtures.response(ID)).setContent(null)
        .setReasoning("Need weather.").setReasoningFormat("openai-reasoning")
        .setFinishReason("tool_calls")
        .setToolCalls(List.of(ToolCall.newBuilder().setId("call_1").setName("get_weather")
            .setArgumentsJson("{\"city\":\"Oslo\"}").build()))
        .build();

    final List<JsonNode> events =
        render("{\"model\":\"auto\",\"input\":\"x\"}",
            Flux.just(new ReplyEvent.Chunk(thinking), new ReplyEvent.Chunk(call),
                new ReplyEvent.Chunk(more), new ReplyEvent.Final(last)));

    assertThat(types(events)).containsExactly(
        "response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.function_call_arguments.delta",
        "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.output_item.done", "response.completed");
    assertThat(events.get(7).path("output_index").asInt()).isZero();
    assertThat(events.get(8).path("output_index").asInt()).isEqualTo(1);
    assertThat(events.get(8).path("item").path("call_id").asText()).isEqualTo("call_1");
    assertThat(events.get(8).path("item").path("name").asText()).isEqualTo("get_weather");
    assertThat(events.get(11).path("arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
    final JsonNode output = events.get(13).path("response").path("output");
    assertThat(output.get(0).path("type").asText()).isEqualTo("reasoning");
    assertThat(output.get(0).path("summary").get(0).path("text").asText())
        .isEqualTo("Need weather.");
    assertThat(output.get(0).path("encrypted_content").asText())
        .startsWith(ResponsesReasoning.PREFIX);
    assertThat(output.get(1).path("type").asText()).isEqualTo("function_call");
    assertThat(output.get(1).path("arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
  }

  @Test
  void replaysAFinalThatCameWithoutChunksAsWholeItems() throws Exception {
    final List<JsonNode> events =
        render("{\"model\":\"auto\",\"input\":\"x\"}",
            Flux.just(new ReplyEvent.Final(Fixtures.response(ID))));

    assertThat(types(events)).containsExactly(
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(events.get(4).path("delta").asText()).isEqualTo("Hello there");
  }

  @Test
  void endsWithResponseIncompleteWhenTheOutputCapStoppedTheModel() throws Exception {
    final List<JsonNode> events =
        render("{\"model\":\"auto\",\"input\":\"x\",\"max_output_tokens\":16}",
            Flux.just(new ReplyEvent.Final(
                ChatResponse.newBuilder(Fixtures.response(ID)).setFinishReason("length").build())));

    final JsonNode last = events.get(events.size() - 1);
    assertThat(last.path("type").asText()).isEqualTo("response.incomplete");
    assertThat(last.path("response").path("status").asText()).isEqualTo("incomplete");
    assertThat(last.path("response").path("incomplete_details").path("reason").asText())
        .isEqualTo("max_output_tokens");
    assertThat(last.path("response").path("max_output_tokens").asInt()).isEqualTo(16);
  }

  @Test
  void aFailureAfterTheStartIsAResponseFailedEventAndNothingIsStored() throws Exception {
    final List<JsonNode> events =
        render("{\"model\":\"auto\",\"input\":\"x\"}",
            Flux.concat(
                Flux.just(new ReplyEvent.Chunk(Fixtures.chunk(ID, 0, "Hel"))),
                Flux.error(GatewayException.timeout())));

    final JsonNode last = events.get(events.size() - 1);
    assertThat(last.path("type").asText()).isEqualTo("response.failed");
    assertThat(last.path("response").path("status").asText()).isEqualTo("failed");
    assertThat(last.path("response").path("error").path("code").asText()).isEqualTo("timeout");
    assertThat(completed).isEmpty();
  }
}
