package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.ReasoningBudget;
import dev.tiergate.ingress.http.Signals;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Normalizes an Anthropic Messages body into the pipeline's {@link ChatRequest}, independent of
 * which provider will serve it: the system prompt becomes a system message, content blocks become
 * parts (thinking blocks keep their signatures), and {@code tool_choice} is written in the OpenAI
 * form the rest of the pipeline reads. Everything the caller got wrong is a 400 here.
 */
public final class AnthropicNormalizer {

  private final Clock clock;

  public AnthropicNormalizer(final Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Builds the request with a fresh {@code req_} correlation id.
   *
   * @throws GatewayException 400 for a body that is not a valid Messages request, 403 for a tier
   *     the key may not use
   */
  public ChatRequest normalize(
      final JsonNode body, final Caller caller, final HeaderLookup headers) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(headers, "headers");
    if (!body.isObject()) {
      throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
    }
    final String model = JsonFields.requiredText(body, "model", "model");
    final Long maxTokens = JsonFields.integer(body, "max_tokens");
    if (maxTokens == null || maxTokens < 1 || maxTokens > Integer.MAX_VALUE) {
      throw GatewayException.invalidRequest(
          "max_tokens", "'max_tokens' is required and must be a positive integer.");
    }
    final List<Message> messages = new ArrayList<>();
    AnthropicMessages.system(body.get("system")).ifPresent(messages::add);
    messages.addAll(AnthropicMessages.messages(body.get("messages")));
    final Signals signals = Signals.resolve(headers, model, caller, body.get("metadata"));
    return signals.newRequest(caller, ApiKind.ANTHROPIC_MESSAGES, clock.instant())
        .setMessages(messages)
        .setTools(tools(body.get("tools")))
        .setToolChoiceJson(toolChoice(body.get("tool_choice")))
        .setSampling(sampling(body, maxTokens.intValue()))
        .setStream(JsonFields.bool(body, "stream"))
        .build();
  }

  static List<ToolDefinition> tools(final JsonNode tools) {
    if (tools == null || tools.isNull()) {
      return List.of();
    }
    if (!tools.isArray()) {
      throw JsonFields.wrongType("tools", "an array");
    }
    final List<ToolDefinition> result = new ArrayList<>(tools.size());
    for (int i = 0; i < tools.size(); i++) {
      final JsonNode tool = tools.get(i);
      final String param = "tools[" + i + "]";
      final String type = JsonFields.text(tool, "type", param + ".type");
      if ((type != null && !type.equals("custom")) || !JsonFields.present(tool, "input_schema")) {
        throw GatewayException.invalidRequest(
            param, "Only client tools with an 'input_schema' are supported.");
      }
      result.add(
          ToolDefinition.newBuilder()
              .setName(JsonFields.requiredText(tool, "name", param + ".name"))
              .setDescription(JsonFields.text(tool, "description", param + ".description"))
              .setParametersJson(tool.get("input_schema").toString())
              .build());
    }
    return result;
  }

  /** Anthropic's choice in OpenAI's form: auto, required (any), none, or one named function. */
  static String toolChoice(final JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return null;
    }
    if (!choice.isObject()) {
      throw JsonFields.wrongType("tool_choice", "an object");
    }
    final String type = JsonFields.requiredText(choice, "type", "tool_choice.type");
    switch (type) {
      case "auto":
        return "\"auto\"";
      case "any":
        return "\"required\"";
      case "none":
        return "\"none\"";
      case "tool":
        final ObjectNode named = JsonNodeFactory.instance.objectNode().put("type", "function");
        named.putObject("function")
            .put("name", JsonFields.requiredText(choice, "name", "tool_choice.name"));
        return named.toString();
      default:
        throw GatewayException.invalidRequest(
            "tool_choice.type", "Unsupported tool_choice type '" + type + "'.");
    }
  }

  static SamplingParams sampling(final JsonNode body, final int maxTokens) {
    return SamplingParams.newBuilder()
        .setTemperature(JsonFields.number(body, "temperature"))
        .setTopP(JsonFields.number(body, "top_p"))
        .setMaxTokens(maxTokens)
        .setStop(stopSequences(body.get("stop_sequences")))
        .setReasoningEffort(reasoningEffort(body.get("thinking")))
        .build();
  }

  private static List<String> stopSequences(final JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    if (!stop.isArray()) {
      throw JsonFields.wrongType("stop_sequences", "an array of strings");
    }
    final List<String> result = new ArrayList<>(stop.size());
    for (final JsonNode item : stop) {
      if (!item.isTextual()) {
        throw JsonFields.wrongType("stop_sequences", "an array of strings");
      }
      result.add(item.asText());
    }
    return result;
  }

  /** Extended thinking's token budget, as the effort level OpenAI-style providers take. */
  static String reasoningEffort(final JsonNode thinking) {
    if (thinking == null || thinking.isNull()) {
      return null;
    }
    if (!thinking.isObject()) {
      throw JsonFields.wrongType("thinking", "an object");
    }
    if (!"enabled".equals(JsonFields.text(thinking, "type", "thinking.type"))) {
      return null;
    }
    final Long budget = JsonFields.integer(thinking, "budget_tokens");
    if (budget == null || budget < 1) {
      throw GatewayException.invalidRequest(
          "thinking.budget_tokens", "'thinking.budget_tokens' must be a positive integer.");
    }
    return ReasoningBudget.effort(budget);
  }
}
