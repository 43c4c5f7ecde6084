package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.BodyNormalizer;
import dev.tiergate.ingress.http.ReasoningBudget;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Normalizes an Anthropic Messages body into the pipeline's {@link ChatRequest}, independent of
 * which provider will serve it: the system prompt becomes a system message, content blocks become
 * parts (thinking blocks keep their signatures), and {@code tool_choice} is written in the OpenAI
 * form the rest of the pipeline reads. Everything the caller got wrong is a 400 here.
 */
public final class AnthropicNormalizer extends BodyNormalizer {

  public AnthropicNormalizer(final Clock clock) {
    super(clock, ApiKind.ANTHROPIC_MESSAGES);
  }

  /** @throws GatewayException 400 for a body that is not a valid Messages request */
  @Override
  protected ChatRequest build(
      final JsonNode body, final String model, final Caller caller, final HeaderLookup headers) {
    final Long maxTokens = JsonFields.integer(body, "max_tokens");
    if (maxTokens == null || maxTokens < 1 || maxTokens > Integer.MAX_VALUE) {
      throw GatewayException.invalidRequest(
          "max_tokens", "'max_tokens' is required and must be a positive integer.");
    }
    final List<Message> messages = new ArrayList<>();
    AnthropicMessages.system(body.get("system")).ifPresent(messages::add);
    messages.addAll(AnthropicMessages.messages(body.get("messages")));
    return newRequest(body, model, caller, headers)
        .setMessages(messages)
        .setTools(tools(body.get("tools")))
        .setToolChoiceJson(toolChoice(body.get("tool_choice")))
        .setSampling(sampling(body, maxTokens.intValue()))
        .setStream(JsonFields.bool(body, "stream"))
        .build();
  }

  static List<ToolDefinition> tools(final JsonNode tools) {
    return JsonFields.list(tools, "tools", "an array", AnthropicNormalizer::tool);
  }

  private static ToolDefinition tool(final JsonNode tool, final String param) {
    final String type = JsonFields.text(tool, "type", param + ".type");
    if ((type != null && !type.equals("custom")) || !JsonFields.present(tool, "input_schema")) {
      throw GatewayException.invalidRequest(
          param, "Only client tools with an 'input_schema' are supported.");
    }
    return ToolDefinition.newBuilder()
        .setName(JsonFields.requiredText(tool, "name", param + ".name"))
        .setDescription(JsonFields.text(tool, "description", param + ".description"))
        .setParametersJson(tool.get("input_schema").toString())
        .build();
  }

  /** Anthropic's choice in OpenAI's form: auto, required (any), none, or one named function. */
  static String toolChoice(final JsonNode choice) {
    if (!JsonFields.objectPresent(choice, "tool_choice")) {
      return null;
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
        .setStop(
            JsonFields.strings(body.get("stop_sequences"), "stop_sequences", "an array of strings"))
        .setReasoningEffort(reasoningEffort(body.get("thinking")))
        .build();
  }

  /** Extended thinking's token budget, as the effort level OpenAI-style providers take. */
  static String reasoningEffort(final JsonNode thinking) {
    if (!JsonFields.objectPresent(thinking, "thinking")) {
      return null;
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
