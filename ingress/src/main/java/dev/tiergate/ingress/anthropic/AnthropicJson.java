package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/** Renders pipeline values in Anthropic's Messages wire format. */
public final class AnthropicJson {

  private final ObjectMapper mapper;

  public AnthropicJson(final ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** A {@code message} object; {@code id} is the correlation id. */
  public String message(final ChatResponse response) {
    Objects.requireNonNull(response, "response");
    final ObjectNode root = envelope(response.getCorrelationId(), response.getModel());
    final ArrayNode content = root.putArray("content");
    if (response.getReasoning() != null || response.getReasoningSignature() != null) {
      content.add(thinkingBlock(response.getReasoning(), response.getReasoningSignature()));
    }
    if (response.getContent() != null && !response.getContent().isEmpty()) {
      content.addObject().put("type", "text").put("text", response.getContent());
    }
    for (final ToolCall call : response.getToolCalls()) {
      content.add(toolUseBlock(call.getId(), call.getName(), input(call.getArgumentsJson())));
    }
    root.put("stop_reason", stopReason(response.getFinishReason(), !response.getToolCalls().isEmpty()));
    root.set("usage", usage(response.getUsage()));
    return write(root);
  }

  /** The message skeleton shared by a whole message and a stream's {@code message_start}. */
  ObjectNode envelope(final String id, final String model) {
    final ObjectNode root = mapper.createObjectNode();
    root.put("id", id);
    root.put("type", "message");
    root.put("role", "assistant");
    root.put("model", model);
    root.putArray("content");
    root.putNull("stop_reason");
    root.putNull("stop_sequence");
    return root;
  }

  ObjectNode thinkingBlock(final String thinking, final String signature) {
    final ObjectNode block = mapper.createObjectNode();
    if (thinking == null && signature != null) {
      return block.put("type", "redacted_thinking").put("data", signature);
    }
    return block.put("type", "thinking")
        .put("thinking", thinking == null ? "" : thinking)
        .put("signature", signature == null ? "" : signature);
  }

  ObjectNode toolUseBlock(final String id, final String name, final JsonNode input) {
    final ObjectNode block = mapper.createObjectNode();
    block.put("type", "tool_use").put("id", id).put("name", name);
    block.set("input", input);
    return block;
  }

  /** Tool arguments as the object Anthropic expects; arguments that are not an object are wrapped. */
  JsonNode input(final String argumentsJson) {
    if (argumentsJson == null || argumentsJson.isBlank()) {
      return mapper.createObjectNode();
    }
    try {
      final JsonNode parsed = mapper.readTree(argumentsJson);
      return parsed != null && parsed.isObject()
          ? parsed
          : mapper.createObjectNode().put("arguments", argumentsJson);
    } catch (IOException e) {
      return mapper.createObjectNode().put("arguments", argumentsJson);
    }
  }

  /** The pipeline's OpenAI-style finish reason as Anthropic's stop reason. */
  static String stopReason(final String finishReason, final boolean toolCalls) {
    if (finishReason == null) {
      return toolCalls ? "tool_use" : "end_turn";
    }
    switch (finishReason) {
      case "length":
        return "max_tokens";
      case "tool_calls":
        return "tool_use";
      case "content_filter":
        return "refusal";
      default:
        return toolCalls ? "tool_use" : "end_turn";
    }
  }

  /**
   * Anthropic's usage: {@code input_tokens} excludes tokens read from the cache, which are counted
   * in {@code cache_read_input_tokens}; nothing is ever counted twice.
   */
  ObjectNode usage(final Usage usage) {
    final ObjectNode node = mapper.createObjectNode();
    final long input = usage == null ? 0 : usage.getInputTokens();
    final long cached = usage == null ? 0 : usage.getCachedInputTokens();
    node.put("input_tokens", Math.max(0, input - cached));
    node.put("cache_creation_input_tokens", 0);
    node.put("cache_read_input_tokens", cached);
    node.put("output_tokens", usage == null ? 0 : usage.getOutputTokens());
    return node;
  }

  /**
   * Anthropic's error body: {@code {"type":"error","error":{"type","message"}}}, plus the
   * gateway's machine-readable {@code code} (e.g. {@code model_not_allowed}) when there is one,
   * since Anthropic's types alone cannot tell a refused model from a refused tier.
   */
  public String error(final GatewayException error) {
    return write(errorNode(error));
  }

  ObjectNode errorNode(final GatewayException error) {
    Objects.requireNonNull(error, "error");
    final ObjectNode root = mapper.createObjectNode();
    root.put("type", "error");
    final ObjectNode body = root.putObject("error")
        .put("type", errorType(error.httpStatus()))
        .put("message", error.getMessage());
    if (error.code() != null) {
      body.put("code", error.code());
    }
    return root;
  }

  /** Anthropic's error type for an HTTP status. */
  static String errorType(final int status) {
    switch (status) {
      case 400:
        return "invalid_request_error";
      case 401:
        return "authentication_error";
      case 402:
        return "billing_error";
      case 403:
        return "permission_error";
      case 404:
        return "not_found_error";
      case 413:
        return "request_too_large";
      case 429:
        return "rate_limit_error";
      case 503:
      case 529:
        return "overloaded_error";
      case 504:
        return "timeout_error";
      default:
        return status < 500 ? "invalid_request_error" : "api_error";
    }
  }

  ObjectNode object() {
    return mapper.createObjectNode();
  }

  String write(final JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot render JSON", e);
    }
  }
}
