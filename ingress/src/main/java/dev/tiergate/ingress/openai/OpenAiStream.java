package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Renders one request's reply events as OpenAI {@code chat.completion.chunk} server-sent events,
 * ending with a usage chunk (when asked for) and {@code data: [DONE]}. A final response that
 * arrives before any chunk is replayed as a single content chunk plus a finish chunk. Holds the
 * state of one stream; use a new instance per request.
 */
public final class OpenAiStream {

  static final String DONE = "data: [DONE]\n\n";

  private final OpenAiJson json;
  private final String id;
  private final long created;
  private final boolean includeUsage;
  private final Function<Throwable, GatewayException> errors;

  private String model;
  private boolean chunkSeen;
  private boolean roleSent;
  private Usage usage;
  private boolean failed;

  public OpenAiStream(
      final OpenAiJson json,
      final String correlationId,
      final String requestedModel,
      final Instant created,
      final boolean includeUsage,
      final Function<Throwable, GatewayException> errors) {
    this.json = Objects.requireNonNull(json, "json");
    this.id = Objects.requireNonNull(correlationId, "correlationId");
    this.model = requestedModel;
    this.created = created.getEpochSecond();
    this.includeUsage = includeUsage;
    this.errors = Objects.requireNonNull(errors, "errors");
  }

  /** The SSE frames for the events; a failure becomes an error event that ends the stream. */
  public Flux<String> render(final Flux<ReplyEvent> events) {
    return events
        .concatMapIterable(this::frames)
        .onErrorResume(error -> Flux.just(errorFrame(errors.apply(error))))
        .concatWith(Flux.defer(() -> Flux.fromIterable(tail())));
  }

  List<String> frames(final ReplyEvent event) {
    if (event instanceof ReplyEvent.Chunk chunk) {
      return chunkFrames(chunk.chunk());
    }
    return finalFrames(((ReplyEvent.Final) event).response());
  }

  private List<String> chunkFrames(final ChatChunk chunk) {
    chunkSeen = true;
    if (chunk.getModel() != null) {
      model = chunk.getModel();
    }
    if (chunk.getUsage() != null) {
      usage = chunk.getUsage();
    }
    final ObjectNode delta = delta();
    if (chunk.getContentDelta() != null) {
      delta.put("content", chunk.getContentDelta());
    }
    json.reasoning(delta, chunk.getReasoningDelta(), chunk.getReasoningSignature(), null);
    if (chunk.getToolCallIndex() != null) {
      delta.set("tool_calls", toolCallDelta(chunk));
    }
    if (delta.isEmpty() && chunk.getFinishReason() == null) {
      return List.of();
    }
    return List.of(frame(chunkBody(delta, chunk.getFinishReason())));
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

  private List<String> finalFrames(final ChatResponse response) {
    if (response.getError() != null) {
      return List.of(errorFrame(GatewayException.fromPipeline(response.getError())));
    }
    if (response.getModel() != null) {
      model = response.getModel();
    }
    if (usage == null) {
      usage = response.getUsage();
    }
    if (chunkSeen) {
      return List.of();
    }
    final ObjectNode delta = delta();
    delta.put("content", response.getContent());
    json.reasoning(delta, response.getReasoning(), response.getReasoningSignature(),
        response.getReasoningFormat());
    if (!response.getToolCalls().isEmpty()) {
      delta.set("tool_calls", json.toolCalls(response.getToolCalls()));
    }
    final List<String> frames = new ArrayList<>(2);
    frames.add(frame(chunkBody(delta, null)));
    frames.add(frame(chunkBody(json.object(), OpenAiJson.finishReason(response))));
    return frames;
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

  private List<String> tail() {
    if (failed) {
      return List.of();
    }
    final List<String> frames = new ArrayList<>(2);
    if (includeUsage && usage != null) {
      final ObjectNode body = envelope();
      body.putArray("choices");
      body.set("usage", json.usage(usage, model));
      frames.add(frame(body));
    }
    frames.add(DONE);
    return frames;
  }

  private String errorFrame(final GatewayException error) {
    failed = true;
    return "data: " + json.error(error) + "\n\n";
  }

  private String frame(final ObjectNode body) {
    return "data: " + json.write(body) + "\n\n";
  }
}
