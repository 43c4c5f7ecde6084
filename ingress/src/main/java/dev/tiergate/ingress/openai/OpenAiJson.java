package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/** Renders pipeline values in OpenAI's Chat Completions wire format. */
@EntryPoint
public final class OpenAiJson {

  private final ObjectMapper mapper;
  private final ChatExtensions extensions;

  public OpenAiJson(final ObjectMapper mapper) {
    this(mapper, ChatExtensions.OPENAI);
  }

  public OpenAiJson(final ObjectMapper mapper, final ChatExtensions extensions) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.extensions = Objects.requireNonNull(extensions, "extensions");
  }

  /** A {@code chat.completion} object; {@code id} is the correlation id. */
  public String completion(final ChatResponse response) {
    Objects.requireNonNull(response, "response");
    final ObjectNode root = mapper.createObjectNode();
    root.put("id", response.getCorrelationId());
    root.put("object", "chat.completion");
    root.put("created", response.getCreatedAt().getEpochSecond());
    root.put("model", response.getModel());
    final ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("message", message(response));
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(response));
    if (response.getUsage() != null) {
      root.set("usage", usage(response.getUsage(), response.getModel()));
    }
    return write(root);
  }

  private ObjectNode message(final ChatResponse response) {
    final ObjectNode message = mapper.createObjectNode();
    message.put("role", "assistant");
    message.put("content", response.getContent());
    reasoning(message, response.getReasoning(), response.getReasoningSignature(),
        response.getReasoningFormat());
    if (!response.getToolCalls().isEmpty()) {
      message.set("tool_calls", toolCalls(response.getToolCalls()));
    }
    message.putNull("refusal");
    return message;
  }

  static String finishReason(final ChatResponse response) {
    if (response.getFinishReason() != null) {
      return response.getFinishReason();
    }
    return response.getToolCalls().isEmpty() ? "stop" : "tool_calls";
  }

  /** Complete tool calls, each with its {@code index} (needed in a delta, harmless elsewhere). */
  ArrayNode toolCalls(final List<ToolCall> calls) {
    final ArrayNode array = array();
    for (int i = 0; i < calls.size(); i++) {
      final ToolCall call = calls.get(i);
      final ObjectNode node = array.addObject();
      node.put("index", i);
      node.put("id", call.getId());
      node.put("type", "function");
      final ObjectNode function = node.putObject("function");
      function.put("name", call.getName());
      function.put("arguments", call.getArgumentsJson());
    }
    return array;
  }

  /** OpenAI's usage object, with cached and reasoning tokens in the detail objects. */
  public ObjectNode usage(final Usage usage) {
    Objects.requireNonNull(usage, "usage");
    final ObjectNode node = mapper.createObjectNode();
    node.put("prompt_tokens", usage.getInputTokens());
    node.put("completion_tokens", usage.getOutputTokens());
    node.put("total_tokens", usage.getInputTokens() + usage.getOutputTokens());
    node.putObject("prompt_tokens_details").put("cached_tokens", usage.getCachedInputTokens());
    node.putObject("completion_tokens_details")
        .put("reasoning_tokens", usage.getReasoningTokens());
    return node;
  }

  /** Reasoning in this dialect's fields; nothing when both text and signature are null. */
  void reasoning(
      final ObjectNode target, final String text, final String signature, final String format) {
    if (text != null || signature != null) {
      extensions.reasoning(target, text, signature, format);
    }
  }

  /** The usage object with this dialect's additions (OpenRouter: the cost of the served model). */
  ObjectNode usage(final Usage usage, final String model) {
    final ObjectNode node = usage(usage);
    extensions.usage(node, model, usage);
    return node;
  }

  /** OpenAI's error body: {@code {"error":{"message","type","param","code"}}}. */
  public String error(final GatewayException error) {
    Objects.requireNonNull(error, "error");
    final ObjectNode root = mapper.createObjectNode();
    final ObjectNode body = root.putObject("error");
    body.put("message", error.getMessage());
    body.put("type", error.type());
    body.put("param", error.param());
    body.put("code", error.code());
    return write(root);
  }

  public ArrayNode array() {
    return mapper.createArrayNode();
  }

  public ObjectNode object() {
    return mapper.createObjectNode();
  }

  public String write(final JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot render JSON", e);
    }
  }
}
