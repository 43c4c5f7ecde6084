package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.stack.simulator.SimulatedPrompt.PromptMessage;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolChoice;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolSpec;
import dev.tiergate.stack.simulator.SimulatedReply.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI's Chat Completions format, as the official SDKs send and parse it: requests under any path
 * ending in {@code /chat/completions}, {@code chat.completion} bodies, {@code chat.completion.chunk}
 * server-sent events ending in an optional usage chunk and {@code [DONE]}, and OpenAI's error JSON.
 */
final class OpenAiChatFormat extends JsonWireFormat {

  private static final String FINGERPRINT = "fp_simulator";

  OpenAiChatFormat(final ObjectMapper mapper) {
    super(mapper, "chatcmpl-sim", path -> path.endsWith("/chat/completions"));
  }

  // ---------------------------------------------------------------- requests

  @Override
  public SimulatedPrompt parse(final String path, final JsonNode body) {
    requireObject(body);
    final String model = requireModel(body, "you must provide a model parameter");
    final List<ToolSpec> tools = tools(body.path("tools"));
    return new SimulatedPrompt(
        model,
        messages(body),
        tools,
        toolChoice(body.path("tool_choice"), tools),
        maxTokens(body),
        body.path("reasoning_effort").isTextual() ? body.get("reasoning_effort").asText() : null,
        body.path("stream").asBoolean(false),
        body.path("stream_options").path("include_usage").asBoolean(false));
  }

  private static List<PromptMessage> messages(final JsonNode body) {
    final JsonNode messages =
        requireMessages(body, "messages", "'messages' must be a non-empty array of messages.");
    final List<PromptMessage> result = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      result.add(message(messages.get(i), "messages[" + i + "]"));
    }
    return result;
  }

  private static PromptMessage message(final JsonNode message, final String param) {
    final JsonNode role = message.path("role");
    if (!role.isTextual()) {
      throw new InvalidRequestException("Missing required parameter: '" + param + ".role'.", param);
    }
    final StringBuilder text = new StringBuilder();
    int images = 0;
    final JsonNode content = message.path("content");
    if (content.isTextual()) {
      text.append(content.asText());
    } else if (content.isArray()) {
      for (final JsonNode part : content) {
        if ("image_url".equals(part.path("type").asText())) {
          images++;
        } else {
          text.append(part.path("text").asText(""));
        }
      }
    } else if (!content.isMissingNode() && !content.isNull()) {
      throw new InvalidRequestException(
          "Invalid type for '" + param + ".content': expected a string or an array.", param);
    }
    for (final JsonNode call : message.path("tool_calls")) {
      text.append(call.path("function").path("name").asText(""))
          .append(call.path("function").path("arguments").asText(""));
    }
    return new PromptMessage(role.asText(), text.toString(), images);
  }

  private static List<ToolSpec> tools(final JsonNode tools) {
    if (tools.isMissingNode() || tools.isNull()) {
      return List.of();
    }
    if (!tools.isArray()) {
      throw new InvalidRequestException("'tools' must be an array.", "tools");
    }
    final List<ToolSpec> result = new ArrayList<>(tools.size());
    for (int i = 0; i < tools.size(); i++) {
      final JsonNode function = tools.get(i).path("function");
      final JsonNode name = function.path("name");
      if (!name.isTextual()) {
        throw new InvalidRequestException(
            "Missing required parameter: 'tools[" + i + "].function.name'.",
            "tools[" + i + "].function.name");
      }
      result.add(
          new ToolSpec(name.asText(), function.path("parameters"), tools.get(i).toString().length()));
    }
    return result;
  }

  private static ToolChoice toolChoice(final JsonNode choice, final List<ToolSpec> tools) {
    if (choice.isMissingNode() || choice.isNull()) {
      return ToolChoice.AUTO;
    }
    if (choice.isTextual()) {
      switch (choice.asText().toLowerCase(Locale.ROOT)) {
        case "auto":
          return ToolChoice.AUTO;
        case "none":
          return new ToolChoice(ToolChoice.Mode.NONE, null);
        case "required":
          return new ToolChoice(ToolChoice.Mode.REQUIRED, null);
        default:
          throw new InvalidRequestException(
              "Invalid value for 'tool_choice': '" + choice.asText() + "'.", "tool_choice");
      }
    }
    final String name = choice.path("function").path("name").asText("");
    if (tools.stream().noneMatch(t -> t.name().equals(name))) {
      throw new InvalidRequestException(
          "Invalid value for 'tool_choice': function '" + name + "' is not among the tools.",
          "tool_choice");
    }
    return new ToolChoice(ToolChoice.Mode.FUNCTION, name);
  }

  private static int maxTokens(final JsonNode body) {
    final JsonNode cap =
        body.hasNonNull("max_completion_tokens")
            ? body.get("max_completion_tokens")
            : body.path("max_tokens");
    if (cap.isMissingNode() || cap.isNull()) {
      return 0;
    }
    if (!cap.canConvertToInt() || cap.asInt() < 1) {
      throw new InvalidRequestException(
          "Invalid 'max_tokens': expected an integer of at least 1.", "max_tokens");
    }
    return cap.asInt();
  }

  // ---------------------------------------------------------------- answers

  @Override
  public String completion(
      final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final ObjectNode message = mapper.createObjectNode().put("role", "assistant");
    message.put("content", reply.content());
    message.putNull("refusal");
    if (reply.toolCall() != null) {
      message.set("tool_calls", mapper.createArrayNode().add(toolCall(reply.toolCall(), true)));
    }
    final ObjectNode choice = mapper.createObjectNode().put("index", 0);
    choice.set("message", message);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(reply));
    final ObjectNode body = header(envelope, prompt, "chat.completion");
    body.set("choices", mapper.createArrayNode().add(choice));
    body.set("usage", usage(reply.usage()));
    body.put("service_tier", "default");
    return body.toString();
  }

  @Override
  public List<String> streamEvents(
      final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final List<String> events = new ArrayList<>();
    final ObjectNode first = mapper.createObjectNode().put("role", "assistant");
    if (reply.toolCall() != null) {
      first.putNull("content");
      first.set("tool_calls", mapper.createArrayNode().add(toolCall(reply.toolCall(), false)));
      first.putNull("refusal");
      events.add(event(chunk(prompt, envelope, first, null)));
      for (final String piece : pieces(reply.toolCall().arguments())) {
        final ObjectNode function = mapper.createObjectNode().put("arguments", piece);
        final ObjectNode call = mapper.createObjectNode().put("index", 0);
        call.set("function", function);
        final ObjectNode delta = mapper.createObjectNode();
        delta.set("tool_calls", mapper.createArrayNode().add(call));
        events.add(event(chunk(prompt, envelope, delta, null)));
      }
    } else {
      first.put("content", "").putNull("refusal");
      events.add(event(chunk(prompt, envelope, first, null)));
      for (final String piece : words(reply.content())) {
        events.add(event(chunk(prompt, envelope, mapper.createObjectNode().put("content", piece), null)));
      }
    }
    events.add(event(chunk(prompt, envelope, mapper.createObjectNode(), finishReason(reply))));
    if (prompt.includeUsage()) {
      final ObjectNode usageChunk = header(envelope, prompt, "chat.completion.chunk");
      usageChunk.set("choices", mapper.createArrayNode());
      usageChunk.set("usage", usage(reply.usage()));
      events.add(event(usageChunk));
    }
    events.add("data: [DONE]\n\n");
    return events;
  }

  @Override
  public String error(final SimulatedError kind, final String message, final String param) {
    final ObjectNode error = mapper.createObjectNode().put("message", message);
    switch (kind) {
      case RATE_LIMITED:
        error.put("type", "requests").put("param", param).put("code", "rate_limit_exceeded");
        break;
      case SERVER_ERROR:
        error.put("type", "server_error").put("param", param).putNull("code");
        break;
      case OVERLOADED:
        error.put("type", "server_error").put("param", param).put("code", "overloaded");
        break;
      case NOT_FOUND:
        error.put("type", "invalid_request_error").put("param", param).put("code", "unknown_url");
        break;
      default:
        error.put("type", "invalid_request_error").put("param", param).putNull("code");
    }
    final ObjectNode body = mapper.createObjectNode();
    body.set("error", error);
    return body.toString();
  }

  private ObjectNode header(final Envelope envelope, final SimulatedPrompt prompt, final String kind) {
    return mapper
        .createObjectNode()
        .put("id", envelope.id())
        .put("object", kind)
        .put("created", envelope.createdEpochSeconds())
        .put("model", prompt.model())
        .put("system_fingerprint", FINGERPRINT);
  }

  private ObjectNode chunk(
      final SimulatedPrompt prompt,
      final Envelope envelope,
      final ObjectNode delta,
      final String finishReason) {
    final ObjectNode choice = mapper.createObjectNode().put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    final ObjectNode chunk = header(envelope, prompt, "chat.completion.chunk");
    chunk.set("choices", mapper.createArrayNode().add(choice));
    if (prompt.includeUsage()) {
      // OpenAI sends "usage": null on every chunk but the last when usage is requested.
      chunk.putNull("usage");
    }
    return chunk;
  }

  private ObjectNode toolCall(final SimulatedReply.ToolCall call, final boolean withArguments) {
    final ObjectNode function = mapper.createObjectNode().put("name", call.name());
    function.put("arguments", withArguments ? call.arguments() : "");
    final ObjectNode node = mapper.createObjectNode();
    if (!withArguments) {
      node.put("index", 0);
    }
    node.put("id", call.id()).put("type", "function");
    node.set("function", function);
    return node;
  }

  private ObjectNode usage(final TokenUsage usage) {
    final ObjectNode node =
        mapper
            .createObjectNode()
            .put("prompt_tokens", usage.promptTokens())
            .put("completion_tokens", usage.completionTokens())
            .put("total_tokens", usage.totalTokens());
    node.putObject("prompt_tokens_details")
        .put("cached_tokens", usage.cachedTokens())
        .put("audio_tokens", 0);
    node.putObject("completion_tokens_details")
        .put("reasoning_tokens", usage.reasoningTokens())
        .put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0)
        .put("rejected_prediction_tokens", 0);
    return node;
  }

  private static String finishReason(final SimulatedReply reply) {
    return reply.finishReason().name().toLowerCase(Locale.ROOT);
  }

  private static String event(final JsonNode data) {
    return "data: " + data + "\n\n";
  }
}
