package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.BodyNormalizer;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.ingress.http.Signals;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Normalizes an OpenAI Responses body ({@code POST /v1/responses}) into the pipeline's {@link
 * ChatRequest} with {@code apiKind} RESPONSES: instructions as a system message, then the stored
 * conversation of {@code previous_response_id}, then the input items. Everything the caller got
 * wrong is a 400 here, before anything is published.
 */
public final class ResponsesNormalizer {

  /** Efforts the Responses API accepts; {@code none} asks for as little reasoning as there is. */
  static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");

  private final Clock clock;

  public ResponsesNormalizer(final Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Checks the parts of the body that decide what is looked up before normalizing. */
  static void checkShape(final JsonNode body) {
    if (!body.isObject()) {
      throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
    }
    JsonFields.text(body, "previous_response_id", "previous_response_id");
    if (JsonFields.bool(body, "background")) {
      throw GatewayException.invalidRequest(
          "background", "Background responses are not supported; omit 'background'.");
    }
    if (JsonFields.present(body, "conversation")) {
      throw GatewayException.invalidRequest(
          "conversation", "Conversations are not supported; use 'previous_response_id'.");
    }
  }

  /**
   * Builds the request with a fresh {@code req_} correlation id.
   *
   * @param history the stored conversation {@code previous_response_id} names, or empty
   * @throws GatewayException (400) for a body that is not a valid Responses request
   */
  public ChatRequest normalize(
      final JsonNode body,
      final Caller caller,
      final HeaderLookup headers,
      final ResponseStore.Conversation history) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(history, "history");
    checkShape(body);
    final String model = JsonFields.requiredText(body, "model", "model");
    final List<Message> messages = new ArrayList<>();
    final String instructions = JsonFields.text(body, "instructions", "instructions");
    if (instructions != null) {
      messages.add(
          MessageParts.message("system", List.of(MessageParts.text(instructions))));
    }
    messages.addAll(history.messages());
    messages.addAll(ResponsesInput.messages(body.get("input")));
    final JsonNode metadata = metadata(body);
    final Signals signals = Signals.resolve(new Signals.Sources(headers, metadata), model, caller);
    final boolean ownSession =
        headers.first(Signals.SESSION_HEADER, Signals.KILO_TASK_HEADER) != null
            || (metadata != null && metadata.hasNonNull("session_id"));
    return signals.newRequest(caller, ApiKind.RESPONSES, clock.instant())
        .setSessionId(
            ownSession || history.sessionId() == null ? signals.sessionId() : history.sessionId())
        .setMessages(messages)
        .setTools(tools(body.get("tools")))
        .setToolChoiceJson(toolChoice(body.get("tool_choice")))
        .setSampling(sampling(body))
        .setStream(JsonFields.bool(body, "stream"))
        .build();
  }

  /** {@code store} is true unless the caller says false (OpenAI's default). */
  static boolean store(final JsonNode body) {
    return !JsonFields.present(body, "store") || JsonFields.bool(body, "store");
  }

  private static JsonNode metadata(final JsonNode body) {
    final JsonNode metadata = body.get("metadata");
    if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
      throw JsonFields.wrongType("metadata", "an object");
    }
    return metadata;
  }

  /** Function tools, flat as the Responses API writes them: {@code {type, name, parameters}}. */
  static List<ToolDefinition> tools(final JsonNode tools) {
    return JsonFields.list(tools, "tools", "an array", ResponsesNormalizer::tool);
  }

  private static ToolDefinition tool(final JsonNode tool, final String param) {
    if (!tool.isObject() || !"function".equals(JsonFields.text(tool, "type", param + ".type"))) {
      throw GatewayException.invalidRequest(
          param + ".type", "Only tools of type 'function' are supported.");
    }
    return BodyNormalizer.functionTool(tool, param);
  }

  /** The choice in Chat Completions' form: auto, none, required, or one named function. */
  static String toolChoice(final JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return null;
    }
    if (choice.isTextual()) {
      final String mode = choice.asText();
      if (!Set.of("auto", "none", "required").contains(mode)) {
        throw GatewayException.invalidRequest(
            "tool_choice", "'tool_choice' must be auto, none, required or a function.");
      }
      return choice.toString();
    }
    if (!choice.isObject()
        || !"function".equals(JsonFields.text(choice, "type", "tool_choice.type"))) {
      throw GatewayException.invalidRequest(
          "tool_choice", "'tool_choice' must be auto, none, required or a function.");
    }
    final ObjectNode named = JsonNodeFactory.instance.objectNode().put("type", "function");
    named.putObject("function")
        .put("name", JsonFields.requiredText(choice, "name", "tool_choice.name"));
    return named.toString();
  }

  static SamplingParams sampling(final JsonNode body) {
    final Long maxOutput = JsonFields.integer(body, "max_output_tokens");
    if (maxOutput != null && (maxOutput < 1 || maxOutput > Integer.MAX_VALUE)) {
      throw GatewayException.invalidRequest(
          "max_output_tokens", "'max_output_tokens' must be a positive integer.");
    }
    return SamplingParams.newBuilder()
        .setTemperature(JsonFields.number(body, "temperature"))
        .setTopP(JsonFields.number(body, "top_p"))
        .setMaxTokens(maxOutput == null ? null : maxOutput.intValue())
        .setResponseFormatJson(responseFormat(body.get("text")))
        .setReasoningEffort(effort(body.get("reasoning")))
        .build();
  }

  private static String effort(final JsonNode reasoning) {
    if (!JsonFields.objectPresent(reasoning, "reasoning")) {
      return null;
    }
    final String effort = JsonFields.text(reasoning, "effort", "reasoning.effort");
    if (effort == null) {
      return null;
    }
    final String lower = effort.toLowerCase(Locale.ROOT);
    if (!EFFORTS.contains(lower)) {
      throw GatewayException.invalidRequest(
          "reasoning.effort", "'reasoning.effort' must be one of " + EFFORTS + ".");
    }
    // The pipeline's efforts are the Chat Completions ones, where minimal is the least.
    return lower.equals("none") ? "minimal" : lower;
  }

  /** {@code text.format} in Chat Completions' {@code response_format} form; null for plain text. */
  static String responseFormat(final JsonNode text) {
    if (!JsonFields.objectPresent(text, "text")) {
      return null;
    }
    final JsonNode format = text.get("format");
    if (format == null || format.isNull()) {
      return null;
    }
    final String type = JsonFields.requiredText(format, "type", "text.format.type");
    final ObjectNode result = JsonNodeFactory.instance.objectNode().put("type", type);
    switch (type) {
      case "text":
        return null;
      case "json_object":
        return result.toString();
      case "json_schema":
        final ObjectNode schema = result.putObject("json_schema");
        schema.put("name", JsonFields.requiredText(format, "name", "text.format.name"));
        final JsonNode body = format.get("schema");
        if (body == null || !body.isObject()) {
          throw GatewayException.invalidRequest(
              "text.format.schema", "Missing required parameter: 'text.format.schema'.");
        }
        schema.set("schema", body);
        if (format.hasNonNull("description")) {
          schema.set("description", format.get("description"));
        }
        if (format.hasNonNull("strict")) {
          schema.put("strict", JsonFields.bool(format, "strict"));
        }
        return result.toString();
      default:
        throw GatewayException.invalidRequest(
            "text.format.type", "'text.format.type' must be text, json_object or json_schema.");
    }
  }
}
