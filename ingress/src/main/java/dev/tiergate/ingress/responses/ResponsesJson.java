package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.Ids;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.openai.OpenAiJson;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.Usage;
import java.util.List;
import java.util.Objects;

/**
 * Renders pipeline values in OpenAI's Responses wire format: the {@code response} object, its
 * output items ({@code reasoning}, {@code message}, {@code function_call}) and usage. Ids derive
 * from the correlation id ({@code req_x} answers as {@code resp_x}, its message as {@code msg_x}),
 * so a stream and its stored object name the same items.
 */
public final class ResponsesJson {

  static final String RESPONSE_PREFIX = "resp_";

  private final OpenAiJson json;

  public ResponsesJson(final ObjectMapper mapper) {
    this.json = new OpenAiJson(Objects.requireNonNull(mapper, "mapper"));
  }

  /** The response id of a request: its correlation id under the {@code resp_} prefix. */
  public static String responseId(final String correlationId) {
    return RESPONSE_PREFIX + suffix(correlationId);
  }

  static String messageId(final String correlationId) {
    return "msg_" + suffix(correlationId);
  }

  static String reasoningId(final String correlationId) {
    return "rs_" + suffix(correlationId);
  }

  static String functionCallId(final String correlationId, final int index) {
    return "fc_" + suffix(correlationId) + "_" + index;
  }

  private static String suffix(final String correlationId) {
    return correlationId.startsWith(Ids.REQUEST_PREFIX)
        ? correlationId.substring(Ids.REQUEST_PREFIX.length())
        : correlationId;
  }

  /** {@code completed}, or {@code incomplete} when the model stopped at a limit or a filter. */
  static String status(final ChatResponse response) {
    return incompleteReason(response) == null ? "completed" : "incomplete";
  }

  private static String incompleteReason(final ChatResponse response) {
    final String finish = response.getFinishReason();
    if ("length".equals(finish)) {
      return "max_output_tokens";
    }
    return "content_filter".equals(finish) ? "content_filter" : null;
  }

  /** The whole answer: the response object with every output item and usage. */
  ObjectNode completed(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    final ObjectNode root = envelope(request, body, status(response), response.getModel());
    withIncompleteDetails(root, response);
    final ArrayNode output = root.putArray("output");
    final String id = request.getCorrelationId();
    final ObjectNode reasoning = reasoningItem(id, response.getReasoning(),
        response.getReasoningFormat(), response.getReasoningFamily(),
        response.getReasoningSignature());
    if (reasoning != null) {
      output.add(reasoning);
    }
    if (response.getContent() != null && !response.getContent().isEmpty()) {
      output.add(messageItem(id, response.getContent(), itemStatus(response)));
    }
    final List<ToolCall> calls = response.getToolCalls();
    for (int i = 0; i < calls.size(); i++) {
      output.add(functionCallItem(id, i, calls.get(i), "completed"));
    }
    withUsage(root, response.getUsage());
    return root;
  }

  /**
   * The response object with no output yet (as {@code response.created} carries it); the caller
   * fills in output, usage and status.
   */
  ObjectNode envelope(
      final ChatRequest request, final JsonNode body, final String status, final String model) {
    final ObjectNode root = json.object();
    root.put("id", responseId(request.getCorrelationId()));
    root.put("object", "response");
    root.put("created_at", request.getReceivedAt().getEpochSecond());
    root.put("status", status);
    root.put("background", false);
    root.putNull("error");
    root.putNull("incomplete_details");
    root.set("instructions", echo(body, "instructions"));
    root.set("max_output_tokens", echo(body, "max_output_tokens"));
    root.putNull("max_tool_calls");
    root.put("model", model != null ? model : ApiDialect.modelOf(request));
    root.putArray("output");
    root.put("parallel_tool_calls", !body.has("parallel_tool_calls")
        || body.get("parallel_tool_calls").asBoolean(true));
    root.set("previous_response_id", echo(body, "previous_response_id"));
    final ObjectNode reasoning = root.putObject("reasoning");
    reasoning.set("effort", echo(body.path("reasoning"), "effort"));
    reasoning.set("summary", echo(body.path("reasoning"), "summary"));
    root.put("service_tier", "default");
    root.put("store", ResponsesNormalizer.store(body));
    root.put("temperature", body.path("temperature").asDouble(1.0));
    root.set("text", text(body));
    root.set("tool_choice", body.hasNonNull("tool_choice") ? body.get("tool_choice")
        : json.object().textNode("auto"));
    root.set("tools", tools(body));
    root.put("top_logprobs", 0);
    root.put("top_p", body.path("top_p").asDouble(1.0));
    root.put("truncation", "disabled");
    root.putNull("usage");
    root.set("user", echo(body, "user"));
    root.set("metadata", body.hasNonNull("metadata") ? body.get("metadata") : json.object());
    return root;
  }

  /** Says why the response is incomplete, when it is. */
  void withIncompleteDetails(final ObjectNode root, final ChatResponse response) {
    final String reason = incompleteReason(response);
    if (reason != null) {
      root.putObject("incomplete_details").put("reason", reason);
    }
  }

  /** Sets OpenAI's Responses usage object (none when the pipeline reported none). */
  void withUsage(final ObjectNode root, final Usage usage) {
    if (usage == null) {
      root.putNull("usage");
      return;
    }
    final ObjectNode node = root.putObject("usage");
    node.put("input_tokens", usage.getInputTokens());
    node.putObject("input_tokens_details").put("cached_tokens", usage.getCachedInputTokens());
    node.put("output_tokens", usage.getOutputTokens());
    node.putObject("output_tokens_details").put("reasoning_tokens", usage.getReasoningTokens());
    node.put("total_tokens", usage.getInputTokens() + usage.getOutputTokens());
  }

  /** A reasoning item with its text as the summary; null when there is no reasoning. */
  ObjectNode reasoningItem(
      final String correlationId, final String text, final String format, final String family,
      final String signature) {
    if (text == null && signature == null) {
      return null;
    }
    final ObjectNode item = json.object();
    item.put("id", reasoningId(correlationId));
    item.put("type", "reasoning");
    final ArrayNode summary = item.putArray("summary");
    if (text != null && !text.isEmpty()) {
      summary.addObject().put("type", "summary_text").put("text", text);
    }
    final String encrypted = ResponsesReasoning.encryptedContent(format, family, signature);
    if (encrypted != null) {
      item.put("encrypted_content", encrypted);
    }
    return item;
  }

  ObjectNode messageItem(final String correlationId, final String text, final String status) {
    final ObjectNode item = json.object();
    item.put("id", messageId(correlationId));
    item.put("type", "message");
    item.put("status", status);
    item.put("role", "assistant");
    final ArrayNode content = item.putArray("content");
    if (text != null) {
      content.add(outputText(text));
    }
    return item;
  }

  ObjectNode outputText(final String text) {
    final ObjectNode part = json.object();
    part.put("type", "output_text");
    part.putArray("annotations");
    part.putArray("logprobs");
    part.put("text", text);
    return part;
  }

  ObjectNode functionCallItem(
      final String correlationId, final int index, final ToolCall call, final String status) {
    final ObjectNode item = json.object();
    item.put("id", functionCallId(correlationId, index));
    item.put("type", "function_call");
    item.put("status", status);
    item.put("arguments", call.getArgumentsJson());
    item.put("call_id", call.getId());
    item.put("name", call.getName());
    return item;
  }

  /** The deletion object {@code DELETE /v1/responses/{id}} answers with. */
  String deleted(final String responseId) {
    final ObjectNode root = json.object();
    root.put("id", responseId);
    root.put("object", "response");
    root.put("deleted", true);
    return json.write(root);
  }

  /** The {@code error} object of a failed response. */
  ObjectNode failure(final GatewayException error) {
    final ObjectNode node = json.object();
    node.put("code", error.code() != null ? error.code() : error.type());
    node.put("message", error.getMessage());
    return node;
  }

  String error(final GatewayException error) {
    return json.error(error);
  }

  ObjectNode object() {
    return json.object();
  }

  String write(final JsonNode node) {
    return json.write(node);
  }

  private static String itemStatus(final ChatResponse response) {
    return status(response).equals("completed") ? "completed" : "incomplete";
  }

  private JsonNode echo(final JsonNode body, final String field) {
    final JsonNode value = body.get(field);
    return value == null ? json.object().nullNode() : value;
  }

  /** The text settings as OpenAI echoes them: the format asked for (plain text by default). */
  private JsonNode text(final JsonNode body) {
    final ObjectNode text = json.object();
    final JsonNode format = body.path("text").get("format");
    if (format != null && format.isObject()) {
      text.set("format", format);
    } else {
      text.putObject("format").put("type", "text");
    }
    text.put("verbosity", body.path("text").path("verbosity").asText("medium"));
    return text;
  }

  /** The function tools as OpenAI echoes them, with its defaults filled in. */
  private ArrayNode tools(final JsonNode body) {
    final ArrayNode tools = json.array();
    for (final JsonNode tool : body.path("tools")) {
      final ObjectNode copy = ((ObjectNode) tool).deepCopy();
      if (!copy.has("description")) {
        copy.putNull("description");
      }
      if (!copy.has("strict")) {
        copy.put("strict", true);
      }
      tools.add(copy);
    }
    return tools;
  }
}
