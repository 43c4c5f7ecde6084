package dev.tiergate.dispatcher.provider;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.text;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import dev.tiergate.schemas.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Fixtures shared by the adapter tests: one rich conversation, resource bytes, stream decoding. */
public final class AdapterFixtures {

  private AdapterFixtures() {}

  /** A conversation with system text, an image, reasoning, tool calls and results, and sampling. */
  public static ChatRequest fullRequest(final ContentPart reasoning) {
    final ContentPart image =
        ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl("https://example.com/cat.png").build();
    final ContentPart weatherCall =
        ContentPart.newBuilder()
            .setType(PartType.TOOL_CALL)
            .setToolCallId("call_1")
            .setToolName("get_weather")
            .setToolArgumentsJson("{\"city\":\"Paris\"}")
            .build();
    final ContentPart calcCall =
        ContentPart.newBuilder().setType(PartType.TOOL_CALL).setToolCallId("call_2").setToolName("calc").build();
    return chat("req_full")
        .setMessages(
            List.of(
                message("system", text("You are terse.")),
                message("user", text("What is in this image?"), image),
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

  public static ContentPart reasoning(final String format, final String family, final String signature) {
    return ContentPart.newBuilder()
        .setType(PartType.REASONING)
        .setText("hmm")
        .setReasoningFormat(format)
        .setReasoningFamily(family)
        .setReasoningSignature(signature)
        .build();
  }

  public static ContentPart toolResult(final String callId, final String text) {
    return ContentPart.newBuilder().setType(PartType.TOOL_RESULT).setToolCallId(callId).setText(text).build();
  }

  public static Usage usage(final long in, final long out, final long cached, final long reasoning) {
    return Usage.newBuilder()
        .setInputTokens(in)
        .setOutputTokens(out)
        .setCachedInputTokens(cached)
        .setReasoningTokens(reasoning)
        .build();
  }

  public static byte[] bytes(final String resource) throws IOException {
    try (InputStream in = AdapterFixtures.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IOException("missing fixture " + resource);
      }
      return in.readAllBytes();
    }
  }

  /** Every delta of a recorded stream, fed through the SSE and the adapter's decoder. */
  public static List<StreamDelta> decode(final StreamDecoder decoder, final byte[] stream) {
    final SseDecoder sse = new SseDecoder();
    final List<StreamDelta> deltas = new ArrayList<>();
    for (final SseEvent event : sse.feed(stream)) {
      deltas.addAll(decoder.decode(event));
    }
    for (final SseEvent event : sse.finish()) {
      deltas.addAll(decoder.decode(event));
    }
    return deltas;
  }

  public static ProviderReply assemble(final List<StreamDelta> deltas) {
    final ReplyAssembler assembler = new ReplyAssembler();
    deltas.forEach(assembler::add);
    return assembler.reply();
  }
}
