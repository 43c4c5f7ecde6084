package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.ReplyStream;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Renders one request's reply events as Anthropic's streaming event sequence: {@code
 * message_start}, then per content block {@code content_block_start}, deltas ({@code
 * thinking_delta}/{@code signature_delta}, {@code text_delta}, {@code input_json_delta}) and {@code
 * content_block_stop}, then {@code message_delta} with the stop reason and usage, and {@code
 * message_stop}. The pipeline's deltas carry no block boundaries, so a block ends when a delta of
 * another kind (or another tool call) arrives. Holds one stream's state; a new instance per request.
 */
final class AnthropicStream extends ReplyStream {

  private enum Block { NONE, THINKING, TEXT, TOOL }

  private final AnthropicJson json;
  private final String id;

  private String model;
  private boolean started;
  private Block open = Block.NONE;
  private int openIndex = -1;
  private int nextIndex;
  private Integer toolIndex;
  private boolean toolSeen;

  AnthropicStream(
      final AnthropicJson json,
      final String correlationId,
      final String requestedModel,
      final Function<Throwable, GatewayException> errors) {
    super(errors);
    this.json = Objects.requireNonNull(json, "json");
    this.id = Objects.requireNonNull(correlationId, "correlationId");
    this.model = requestedModel;
  }

  @Override
  protected void chunk(final ChatChunk chunk, final List<String> frames) {
    if (chunk.getModel() != null && !started) {
      model = chunk.getModel();
    }
    start(frames);
    if (chunk.getReasoningDelta() != null && !chunk.getReasoningDelta().isEmpty()) {
      openBlock(Block.THINKING, frames);
      frames.add(delta(deltaNode("thinking_delta").put("thinking", chunk.getReasoningDelta())));
    }
    if (chunk.getReasoningSignature() != null) {
      openBlock(Block.THINKING, frames);
      frames.add(delta(deltaNode("signature_delta").put("signature", chunk.getReasoningSignature())));
    }
    if (chunk.getContentDelta() != null && !chunk.getContentDelta().isEmpty()) {
      openBlock(Block.TEXT, frames);
      frames.add(delta(deltaNode("text_delta").put("text", chunk.getContentDelta())));
    }
    if (chunk.getToolCallIndex() != null) {
      toolDelta(chunk, frames);
    }
  }

  private void toolDelta(final ChatChunk chunk, final List<String> frames) {
    if (open != Block.TOOL || !chunk.getToolCallIndex().equals(toolIndex)) {
      closeBlock(frames);
      toolIndex = chunk.getToolCallIndex();
      final String callId =
          chunk.getToolCallId() != null ? chunk.getToolCallId() : id + "_tool_" + toolIndex;
      final String name = chunk.getToolName() != null ? chunk.getToolName() : "";
      startBlock(Block.TOOL, json.toolUseBlock(callId, name, json.object()), frames);
      toolSeen = true;
    }
    final String arguments = chunk.getToolArgumentsDelta();
    if (arguments != null && !arguments.isEmpty()) {
      frames.add(delta(deltaNode("input_json_delta").put("partial_json", arguments)));
    }
  }

  /** A final response before any chunk carries the whole answer: replay it as blocks. */
  @Override
  protected void answer(final ChatResponse response, final List<String> frames) {
    if (chunkSeen()) {
      return;
    }
    if (response.getModel() != null) {
      model = response.getModel();
    }
    start(frames);
    if (response.getReasoning() != null || response.getReasoningSignature() != null) {
      replayThinking(response, frames);
    }
    if (response.getContent() != null && !response.getContent().isEmpty()) {
      openBlock(Block.TEXT, frames);
      frames.add(delta(deltaNode("text_delta").put("text", response.getContent())));
    }
    for (final ToolCall call : response.getToolCalls()) {
      closeBlock(frames);
      startBlock(Block.TOOL, json.toolUseBlock(call.getId(), call.getName(), json.object()), frames);
      frames.add(delta(deltaNode("input_json_delta").put("partial_json", call.getArgumentsJson())));
      toolSeen = true;
    }
  }

  private void replayThinking(final ChatResponse response, final List<String> frames) {
    if (response.getReasoning() == null) {
      startBlock(Block.THINKING, json.thinkingBlock(null, response.getReasoningSignature()), frames);
      return;
    }
    openBlock(Block.THINKING, frames);
    frames.add(delta(deltaNode("thinking_delta").put("thinking", response.getReasoning())));
    if (response.getReasoningSignature() != null) {
      frames.add(
          delta(deltaNode("signature_delta").put("signature", response.getReasoningSignature())));
    }
  }

  private void start(final List<String> frames) {
    if (started) {
      return;
    }
    started = true;
    final ObjectNode message = json.envelope(id, model);
    message.set("usage", json.usage(null));
    final ObjectNode body = json.object().put("type", "message_start");
    body.set("message", message);
    frames.add(frame("message_start", body));
  }

  private void openBlock(final Block kind, final List<String> frames) {
    if (open == kind) {
      return;
    }
    closeBlock(frames);
    final ObjectNode block =
        kind == Block.THINKING
            ? json.thinkingBlock("", "")
            : json.object().put("type", "text").put("text", "");
    startBlock(kind, block, frames);
  }

  private void startBlock(final Block kind, final ObjectNode block, final List<String> frames) {
    closeBlock(frames);
    open = kind;
    openIndex = nextIndex++;
    final ObjectNode body = json.object().put("type", "content_block_start").put("index", openIndex);
    body.set("content_block", block);
    frames.add(frame("content_block_start", body));
  }

  private void closeBlock(final List<String> frames) {
    if (open == Block.NONE) {
      return;
    }
    frames.add(
        frame(
            "content_block_stop",
            json.object().put("type", "content_block_stop").put("index", openIndex)));
    open = Block.NONE;
  }

  private ObjectNode deltaNode(final String type) {
    return json.object().put("type", type);
  }

  private String delta(final ObjectNode delta) {
    final ObjectNode body = json.object().put("type", "content_block_delta").put("index", openIndex);
    body.set("delta", delta);
    return frame("content_block_delta", body);
  }

  @Override
  protected List<String> end() {
    final List<String> frames = new ArrayList<>();
    start(frames);
    closeBlock(frames);
    final ObjectNode body = json.object().put("type", "message_delta");
    body.putObject("delta")
        .put("stop_reason", AnthropicJson.stopReason(finishReason(), toolSeen))
        .putNull("stop_sequence");
    body.set("usage", json.usage(usage()));
    frames.add(frame("message_delta", body));
    frames.add(frame("message_stop", json.object().put("type", "message_stop")));
    return frames;
  }

  @Override
  protected List<String> errorFrames(final GatewayException error) {
    return List.of(frame("error", json.errorNode(error)));
  }

  private String frame(final String event, final ObjectNode body) {
    return "event: " + event + "\ndata: " + json.write(body) + "\n\n";
  }
}
