package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.http.ReplyStream;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Renders one request's reply events as OpenAI {@code chat.completion.chunk} server-sent events,
 * ending with a usage chunk (when asked for) and {@code data: [DONE]}. A final response that
 * arrives before any chunk is replayed as a single content chunk plus a finish chunk. Holds the
 * state of one stream; use a new instance per request.
 */
public final class OpenAiStream extends ReplyStream {

  static final String DONE = "data: [DONE]\n\n";

  private final OpenAiJson json;
  private final String id;
  private final long created;
  private final boolean includeUsage;

  private String model;
  private boolean roleSent;

  public OpenAiStream(
      final OpenAiJson json,
      final String correlationId,
      final String requestedModel,
      final Instant created,
      final boolean includeUsage,
      final Function<Throwable, GatewayException> errors) {
    super(errors);
    this.json = Objects.requireNonNull(json, "json");
    this.id = Objects.requireNonNull(correlationId, "correlationId");
    this.model = requestedModel;
    this.created = created.getEpochSecond();
    this.includeUsage = includeUsage;
  }

  /** The stream of one request's reply: its id, the model it asked for, the time it came in. */
  public static OpenAiStream of(
      final OpenAiJson json, final ChatRequest request, final boolean includeUsage) {
    return new OpenAiStream(
        json, request.getCorrelationId(), ApiDialect.modelOf(request), request.getReceivedAt(),
        includeUsage, HttpReplies::asGatewayError);
  }

  @Override
  protected void chunk(final ChatChunk chunk, final List<String> frames) {
    if (chunk.getModel() != null) {
      model = chunk.getModel();
    }
    final ObjectNode delta = delta();
    if (chunk.getContentDelta() != null) {
      delta.put("content", chunk.getContentDelta());
    }
    json.reasoning(delta, chunk.getReasoningDelta(), chunk.getReasoningSignature(), null);
    if (chunk.getToolCallIndex() != null) {
      delta.set("tool_calls", toolCallDelta(chunk));
    }
    if (!delta.isEmpty() || chunk.getFinishReason() != null) {
      frames.add(frame(chunkBody(delta, chunk.getFinishReason())));
    }
  }

  private ArrayNode toolCallDelta(final ChatChunk chunk) {
    final ArrayNode calls = json.array();
    final ObjectNode call = calls.addObject();
    call.put("index", chunk.getToolCallIndex());
    if (chunk.getToolCallId() != null) {
      call.put("id", chunk.getToolCallId());
      call.put("type", "function");
    }
    final ObjectNode function = call.putObject("function");
    if (chunk.getToolName() != null) {
      function.put("name", chunk.getToolName());
    }
    if (chunk.getToolArgumentsDelta() != null) {
      function.put("arguments", chunk.getToolArgumentsDelta());
    }
    return calls;
  }

  @Override
  protected void answer(final ChatResponse response, final List<String> frames) {
    if (response.getModel() != null) {
      model = response.getModel();
    }
    if (chunkSeen()) {
      return;
    }
    final ObjectNode delta = delta();
    delta.put("content", response.getContent());
    json.reasoning(delta, response.getReasoning(), response.getReasoningSignature(),
        response.getReasoningFormat());
    if (!response.getToolCalls().isEmpty()) {
      delta.set("tool_calls", json.toolCalls(response.getToolCalls()));
    }
    frames.add(frame(chunkBody(delta, null)));
    frames.add(frame(chunkBody(json.object(), OpenAiJson.finishReason(response))));
  }

  /** A delta carrying the assistant role the first time only, as OpenAI does. */
  private ObjectNode delta() {
    final ObjectNode delta = json.object();
    if (!roleSent) {
      delta.put("role", "assistant");
      roleSent = true;
    }
    return delta;
  }

  private ObjectNode chunkBody(final ObjectNode delta, final String finishReason) {
    final ObjectNode body = envelope();
    final ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    return body;
  }

  private ObjectNode envelope() {
    final ObjectNode body = json.object();
    body.put("id", id);
    body.put("object", "chat.completion.chunk");
    body.put("created", created);
    body.put("model", model);
    return body;
  }

  @Override
  protected List<String> end() {
    final List<String> frames = new ArrayList<>(2);
    if (includeUsage && usage() != null) {
      final ObjectNode body = envelope();
      body.putArray("choices");
      body.set("usage", json.usage(usage(), model));
      frames.add(frame(body));
    }
    frames.add(DONE);
    return frames;
  }

  @Override
  protected List<String> errorFrames(final GatewayException error) {
    return List.of("data: " + json.error(error) + "\n\n");
  }

  private String frame(final ObjectNode body) {
    return "data: " + json.write(body) + "\n\n";
  }
}
