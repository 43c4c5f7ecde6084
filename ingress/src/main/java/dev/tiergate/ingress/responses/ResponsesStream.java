package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.ReplyStream;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Renders one request's reply events as OpenAI Responses server-sent events, numbered by {@code
 * sequence_number}: {@code response.created} and {@code response.in_progress}, then per output
 * item {@code response.output_item.added}, its deltas and {@code response.output_item.done}
 * (reasoning as summary text, a message as one {@code output_text} part, each function call with
 * its argument deltas), and {@code response.completed} (or {@code response.incomplete}) with the
 * whole response and usage. A failure after the start is a {@code response.failed} event. A final
 * response that arrives with no chunks before it is replayed as whole items. Holds the state of
 * one stream; use a new instance per request.
 */
final class ResponsesStream extends ReplyStream {

  private enum Open { NONE, REASONING, MESSAGE, FUNCTION_CALL }

  private final ResponsesJson json;
  private final ChatRequest request;
  private final JsonNode body;
  private final String id;
  private final BiConsumer<ChatResponse, ObjectNode> onCompleted;

  private final ArrayNode doneItems;
  private int sequence;
  private boolean started;
  private String model;
  private Open open = Open.NONE;
  private final StringBuilder text = new StringBuilder();
  private String reasoningSignature;
  private int toolIndex = -1;
  private String toolCallId;
  private String toolName;
  // The whole answer so far: a stream ends at its last chunk, usually with no final response.
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final List<ToolCall> calls = new ArrayList<>();
  private boolean finished;

  /**
   * @param onCompleted called once with the final response and the completed response object,
   *     before {@code response.completed} is sent (the dialect stores it there)
   */
  ResponsesStream(
      final ResponsesJson json,
      final ChatRequest request,
      final JsonNode body,
      final Function<Throwable, GatewayException> errors,
      final BiConsumer<ChatResponse, ObjectNode> onCompleted) {
    super(errors);
    this.json = Objects.requireNonNull(json, "json");
    this.request = Objects.requireNonNull(request, "request");
    this.body = Objects.requireNonNull(body, "body");
    this.id = request.getCorrelationId();
    this.onCompleted = Objects.requireNonNull(onCompleted, "onCompleted");
    this.doneItems = json.object().arrayNode();
  }

  /** The final response ends the stream, unless a last chunk or a failure ended it before. */
  @Override
  protected void answer(final ChatResponse response, final List<String> frames) {
    if (finished) {
      return;
    }
    start(frames);
    finish(response, frames);
  }

  /** A {@code response.failed} event (after the start events, when none went out yet). */
  @Override
  protected List<String> errorFrames(final GatewayException error) {
    return failed(error);
  }

  /** Nothing follows {@code response.completed}: it closes the stream. */
  @Override
  protected List<String> end() {
    return List.of();
  }

  private void start(final List<String> frames) {
    if (started) {
      return;
    }
    started = true;
    frames.add(event("response.created", withResponse(snapshot("in_progress"))));
    frames.add(event("response.in_progress", withResponse(snapshot("in_progress"))));
  }

  @Override
  protected void chunk(final ChatChunk chunk, final List<String> frames) {
    if (finished) {
      return;
    }
    start(frames);
    if (chunk.getModel() != null) {
      model = chunk.getModel();
    }
    if (chunk.getReasoningSignature() != null) {
      reasoningSignature = chunk.getReasoningSignature();
    }
    if (chunk.getReasoningDelta() != null && !chunk.getReasoningDelta().isEmpty()) {
      reasoningDelta(chunk.getReasoningDelta(), frames);
    }
    if (chunk.getContentDelta() != null && !chunk.getContentDelta().isEmpty()) {
      textDelta(chunk.getContentDelta(), frames);
    }
    if (chunk.getToolCallIndex() != null) {
      toolDelta(chunk, frames);
    }
    if (chunk.getLast()) {
      finish(streamed(), frames);
    }
  }

  /** The answer the chunks made up, as the final response they stand for. */
  private ChatResponse streamed() {
    return ChatResponse.newBuilder()
        .setCorrelationId(id)
        .setTenant(request.getTenant())
        .setSessionId(request.getSessionId())
        .setContent(content.length() == 0 ? null : content.toString())
        .setReasoning(reasoning.length() == 0 ? null : reasoning.toString())
        .setReasoningSignature(reasoningSignature)
        .setToolCalls(List.copyOf(calls))
        .setFinishReason(finishReason())
        .setModel(model)
        .setUsage(usage())
        .setCreatedAt(request.getReceivedAt())
        .build();
  }

  private void reasoningDelta(final String delta, final List<String> frames) {
    if (open != Open.REASONING) {
      close(frames, null);
      open = Open.REASONING;
      final ObjectNode item = json.reasoningItem(id, "", null, null, null);
      frames.add(itemEvent("response.output_item.added", item));
      frames.add(event("response.reasoning_summary_part.added",
          summaryEvent().set("part", summaryPart(""))));
    }
    text.append(delta);
    reasoning.append(delta);
    frames.add(event("response.reasoning_summary_text.delta",
        summaryEvent().put("delta", delta)));
  }

  private void textDelta(final String delta, final List<String> frames) {
    if (open != Open.MESSAGE) {
      close(frames, null);
      open = Open.MESSAGE;
      frames.add(
          itemEvent("response.output_item.added", json.messageItem(id, null, "in_progress")));
      frames.add(event("response.content_part.added",
          contentEvent(ResponsesJson.messageId(id)).set("part", json.outputText(""))));
    }
    text.append(delta);
    content.append(delta);
    frames.add(event("response.output_text.delta",
        contentEvent(ResponsesJson.messageId(id)).put("delta", delta)
            .set("logprobs", json.object().arrayNode())));
  }

  private void toolDelta(final ChatChunk chunk, final List<String> frames) {
    if (open != Open.FUNCTION_CALL || chunk.getToolCallIndex() != toolIndex) {
      close(frames, null);
      open = Open.FUNCTION_CALL;
      toolIndex = chunk.getToolCallIndex();
      toolCallId = chunk.getToolCallId();
      toolName = chunk.getToolName();
      frames.add(itemEvent("response.output_item.added",
          json.functionCallItem(id, toolIndex, call(""), "in_progress")));
    }
    final String delta = chunk.getToolArgumentsDelta();
    if (delta != null && !delta.isEmpty()) {
      text.append(delta);
      frames.add(event("response.function_call_arguments.delta",
          itemRef(ResponsesJson.functionCallId(id, toolIndex)).put("delta", delta)));
    }
  }

  /** Closes the open item with its done events; {@code response} completes what deltas lacked. */
  private void close(final List<String> frames, final ChatResponse response) {
    final String done = text.toString();
    switch (open) {
      case REASONING -> {
        frames.add(event("response.reasoning_summary_text.done",
            summaryEvent().put("text", done)));
        frames.add(event("response.reasoning_summary_part.done",
            summaryEvent().set("part", summaryPart(done))));
        final String signature = response != null && response.getReasoningSignature() != null
            ? response.getReasoningSignature() : reasoningSignature;
        addDone(json.reasoningItem(id, done,
            response == null ? null : response.getReasoningFormat(),
            response == null ? null : response.getReasoningFamily(), signature));
      }
      case MESSAGE -> {
        final String messageId = ResponsesJson.messageId(id);
        frames.add(event("response.output_text.done",
            contentEvent(messageId).put("text", done).set("logprobs", json.object().arrayNode())));
        frames.add(event("response.content_part.done",
            contentEvent(messageId).set("part", json.outputText(done))));
        addDone(json.messageItem(id, done,
            response == null ? "completed" : ResponsesJson.status(response)));
      }
      case FUNCTION_CALL -> {
        final String itemId = ResponsesJson.functionCallId(id, toolIndex);
        final String arguments = done.isEmpty() ? "{}" : done;
        frames.add(event("response.function_call_arguments.done",
            itemRef(itemId).put("name", toolName).put("arguments", arguments)));
        calls.add(call(arguments));
        addDone(json.functionCallItem(id, toolIndex, call(arguments), "completed"));
      }
      default -> {
        return;
      }
    }
    final int index = doneItems.size() - 1;
    frames.add(event("response.output_item.done",
        json.object().put("output_index", index).set("item", doneItems.get(index))));
    open = Open.NONE;
    text.setLength(0);
  }

  private void addDone(final ObjectNode item) {
    doneItems.add(item);
  }

  /** The end: replays a final that came without chunks, closes what is open, completes. */
  private void finish(final ChatResponse response, final List<String> frames) {
    finished = true;
    if (response.getModel() != null) {
      model = response.getModel();
    }
    if (chunkSeen()) {
      close(frames, response);
    } else {
      replay(response, frames);
    }
    withReasoningOrigin(response);
    final ObjectNode completed = snapshot(ResponsesJson.status(response));
    completed.set("output", doneItems);
    json.withIncompleteDetails(completed, response);
    json.withUsage(completed, response.getUsage());
    onCompleted.accept(response, completed);
    final String type = "completed".equals(ResponsesJson.status(response))
        ? "response.completed" : "response.incomplete";
    frames.add(event(type, withResponse(completed)));
  }

  /**
   * Which family wrote the reasoning, and in which format, comes with the final response only:
   * the completed object's reasoning item carries it for the client to send back.
   */
  private void withReasoningOrigin(final ChatResponse response) {
    final String encrypted = ResponsesReasoning.encryptedContent(
        response.getReasoningFormat(), response.getReasoningFamily(),
        response.getReasoningSignature() != null
            ? response.getReasoningSignature() : reasoningSignature);
    for (final JsonNode item : doneItems) {
      if ("reasoning".equals(item.path("type").asText()) && encrypted != null) {
        ((ObjectNode) item).put("encrypted_content", encrypted);
      }
    }
  }

  private void replay(final ChatResponse response, final List<String> frames) {
    if (response.getReasoning() != null && !response.getReasoning().isEmpty()) {
      reasoningDelta(response.getReasoning(), frames);
      close(frames, response);
    }
    if (response.getContent() != null && !response.getContent().isEmpty()) {
      textDelta(response.getContent(), frames);
      close(frames, response);
    }
    final List<ToolCall> calls = response.getToolCalls();
    for (int i = 0; i < calls.size(); i++) {
      final ToolCall call = calls.get(i);
      toolDelta(ChatChunk.newBuilder().setCorrelationId(id).setSequence(i)
          .setToolCallIndex(i).setToolCallId(call.getId()).setToolName(call.getName())
          .setToolArgumentsDelta(call.getArgumentsJson()).build(), frames);
      close(frames, response);
    }
  }

  private List<String> failed(final GatewayException error) {
    final List<String> frames = new ArrayList<>(3);
    start(frames);
    finished = true;
    final ObjectNode failed = snapshot("failed");
    failed.set("output", doneItems);
    failed.set("error", json.failure(error));
    frames.add(event("response.failed", withResponse(failed)));
    return frames;
  }

  private ObjectNode snapshot(final String status) {
    return json.envelope(request, body, status, model);
  }

  private ToolCall call(final String arguments) {
    return ToolCall.newBuilder()
        .setId(toolCallId == null ? ResponsesJson.functionCallId(id, toolIndex) : toolCallId)
        .setName(toolName == null ? "" : toolName)
        .setArgumentsJson(arguments)
        .build();
  }

  private ObjectNode withResponse(final ObjectNode response) {
    return json.object().set("response", response);
  }

  private String itemEvent(final String type, final JsonNode item) {
    final ObjectNode event = json.object();
    event.put("output_index", outputIndex());
    event.set("item", item);
    return event(type, event);
  }

  private ObjectNode itemRef(final String itemId) {
    return json.object().put("item_id", itemId).put("output_index", outputIndex());
  }

  private ObjectNode contentEvent(final String itemId) {
    return itemRef(itemId).put("content_index", 0);
  }

  private ObjectNode summaryEvent() {
    return itemRef(ResponsesJson.reasoningId(id)).put("summary_index", 0);
  }

  private ObjectNode summaryPart(final String summary) {
    return json.object().put("type", "summary_text").put("text", summary);
  }

  /** The index of the open (or next) item: the items done before it. */
  private int outputIndex() {
    return doneItems.size();
  }

  private String event(final String type, final ObjectNode payload) {
    final ObjectNode event = json.object();
    event.put("type", type);
    event.put("sequence_number", sequence++);
    event.setAll(payload);
    return "event: " + type + "\ndata: " + json.write(event) + "\n\n";
  }
}
