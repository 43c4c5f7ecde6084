package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.BodyNormalizer;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Clock;
import java.util.List;

/**
 * Normalizes an OpenAI Chat Completions body into the pipeline's {@link ChatRequest}, so the router
 * and dispatcher never see the caller's wire format. Everything the caller got wrong is a 400 here,
 * before anything is published.
 */
@EntryPoint
public final class OpenAiChatNormalizer extends BodyNormalizer {

  public OpenAiChatNormalizer(final Clock clock) {
    super(clock, ApiKind.OPENAI_CHAT);
  }

  /** @throws GatewayException 400 for a body that is not a valid Chat Completions request */
  @Override
  protected ChatRequest build(
      final JsonNode body, final String model, final Caller caller, final HeaderLookup headers) {
    final var messages = OpenAiMessages.messages(body.get("messages"));
    return newRequest(body, model, caller, headers)
        .setMessages(messages)
        .setTools(tools(body.get("tools")))
        .setToolChoiceJson(JsonFields.json(body, "tool_choice"))
        .setSampling(sampling(body))
        .setStream(JsonFields.bool(body, "stream"))
        .build();
  }

  /** Whether a streamed reply should end with a usage chunk ({@code stream_options}). */
  public static boolean includeUsage(final JsonNode body) {
    final JsonNode options = body.get("stream_options");
    return options != null && options.isObject() && JsonFields.bool(options, "include_usage");
  }

  static List<ToolDefinition> tools(final JsonNode tools) {
    return JsonFields.list(tools, "tools", "an array", OpenAiChatNormalizer::tool);
  }

  private static ToolDefinition tool(final JsonNode tool, final String param) {
    final String type = JsonFields.text(tool, "type", param + ".type");
    final JsonNode function = tool.get("function");
    if (!"function".equals(type) || function == null || !function.isObject()) {
      throw GatewayException.invalidRequest(
          param, "Only tools of type 'function' with a 'function' object are supported.");
    }
    return functionTool(function, param + ".function");
  }

  static SamplingParams sampling(final JsonNode body) {
    final Long maxCompletion = JsonFields.integer(body, "max_completion_tokens");
    final Long maxTokens =
        maxCompletion != null ? maxCompletion : JsonFields.integer(body, "max_tokens");
    return SamplingParams.newBuilder()
        .setTemperature(JsonFields.number(body, "temperature"))
        .setTopP(JsonFields.number(body, "top_p"))
        .setMaxTokens(maxTokens == null ? null : toInt(maxTokens, "max_tokens"))
        .setStop(stop(body.get("stop")))
        .setSeed(JsonFields.integer(body, "seed"))
        .setResponseFormatJson(JsonFields.json(body, "response_format"))
        .setReasoningEffort(JsonFields.text(body, "reasoning_effort", "reasoning_effort"))
        .build();
  }

  private static int toInt(final long value, final String param) {
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw GatewayException.invalidRequest(param, "'" + param + "' must be a positive integer.");
    }
    return (int) value;
  }

  private static List<String> stop(final JsonNode stop) {
    return stop != null && stop.isTextual()
        ? List.of(stop.asText())
        : JsonFields.strings(stop, "stop", "a string or an array of strings");
  }
}
