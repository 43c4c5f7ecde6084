package dev.tiergate.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatChunk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class OpenAiStreamTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static OpenAiStream stream(final boolean includeUsage) {
    return new OpenAiStream(
        new OpenAiJson(MAPPER), "req_s", "auto/balanced", Fixtures.NOW, includeUsage,
        HttpReplies::asGatewayError);
  }

  private static List<JsonNode> payloads(final List<String> frames) throws Exception {
    final List<JsonNode> nodes = new ArrayList<>();
    for (final String frame : frames) {
      assertThat(frame).startsWith("data: ").endsWith("\n\n");
      final String data = frame.substring("data: ".length()).trim();
      if (!data.equals("[DONE]")) {
        nodes.add(MAPPER.readTree(data));
      }
    }
    return nodes;
  }

  @Test
  void relaysChunksAsDeltasThenUsageThenDone() throws Exception {
    final List<String> frames =
        stream(true)
            .render(
                Flux.just(
                    new ReplyEvent.Chunk(Fixtures.chunk("req_s", 0, "Hel")),
                    new ReplyEvent.Chunk(Fixtures.chunk("req_s", 1, "lo")),
                    new ReplyEvent.Chunk(Fixtures.lastChunk("req_s", 2))))
            .collectList()
            .block();

    final List<JsonNode> chunks = payloads(frames);
    assertThat(frames.get(frames.size() - 1)).isEqualTo(OpenAiStream.DONE);
    assertThat(chunks).hasSize(4);
    assertThat(chunks.get(0).path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(chunks.get(0).path("id").asText()).isEqualTo("req_s");
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks.get(0).at("/choices/0/delta/content").asText()).isEqualTo("Hel");
    assertThat(chunks.get(1).at("/choices/0/delta/role").isMissingNode()).isTrue();
    assertThat(chunks.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(chunks.get(3).path("choices")).isEmpty();
    assertThat(chunks.get(3).at("/usage/total_tokens").asLong()).isEqualTo(150);
    assertThat(chunks.get(3).path("model").asText()).isEqualTo(Fixtures.SERVED_MODEL);
  }

  @Test
  void relaysToolCallDeltasWithIndex() throws Exception {
    final ChatChunk toolChunk =
        ChatChunk.newBuilder()
            .setCorrelationId("req_s")
            .setSequence(0)
            .setToolCallIndex(0)
            .setToolCallId("call_1")
            .setToolName("read_file")
            .setToolArgumentsDelta("{\"pa")
            .build();

    final List<JsonNode> chunks =
        payloads(
            stream(false)
                .render(Flux.just(new ReplyEvent.Chunk(toolChunk)))
                .collectList()
                .block());

    final JsonNode call = chunks.get(0).at("/choices/0/delta/tool_calls/0");
    assertThat(call.path("index").asInt()).isZero();
    assertThat(call.path("id").asText()).isEqualTo("call_1");
    assertThat(call.at("/function/name").asText()).isEqualTo("read_file");
    assertThat(call.at("/function/arguments").asText()).isEqualTo("{\"pa");
  }

  @Test
  void replaysAFinalResponseWithoutChunksAsContentFinishAndUsageChunks() throws Exception {
    final List<String> frames =
        stream(true)
            .render(Flux.just(new ReplyEvent.Final(Fixtures.response("req_s"))))
            .collectList()
            .block();

    final List<JsonNode> chunks = payloads(frames);
    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(0).at("/choices/0/delta/content").asText()).isEqualTo("Hello there");
    assertThat(chunks.get(1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(chunks.get(2).at("/usage/prompt_tokens").asLong()).isEqualTo(120);
    assertThat(frames.get(frames.size() - 1)).isEqualTo(OpenAiStream.DONE);
  }

  @Test
  void omitsUsageChunkUnlessAskedFor() throws Exception {
    final List<String> frames =
        stream(false)
            .render(Flux.just(new ReplyEvent.Final(Fixtures.response("req_s"))))
            .collectList()
            .block();

    assertThat(payloads(frames)).hasSize(2).noneMatch(node -> node.has("usage"));
  }

  @Test
  void endsWithAnErrorEventAndNoDoneWhenTheStreamFails() throws Exception {
    final List<String> frames =
        stream(true)
            .render(
                Flux.<ReplyEvent>just(new ReplyEvent.Chunk(Fixtures.chunk("req_s", 0, "Hel")))
                    .concatWith(Flux.error(GatewayException.timeout())))
            .collectList()
            .block();

    final List<JsonNode> payloads = payloads(frames);
    assertThat(payloads.get(payloads.size() - 1).at("/error/code").asText()).isEqualTo("timeout");
    assertThat(frames).doesNotContain(OpenAiStream.DONE);
  }
}
