package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.stack.simulator.SimulatedPrompt.PromptMessage;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolChoice;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolSpec;
import dev.tiergate.stack.simulator.SimulatedReply.TokenUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * Google Gemini's format: {@code POST …/models/{model}:generateContent} and {@code
 * :streamGenerateContent} (server-sent events with {@code alt=sse}), GenerateContentResponse bodies
 * and Google's error JSON. Usage is reported Gemini's way: {@code candidatesTokenCount} without the
 * thinking, which is {@code thoughtsTokenCount}; the prompt count includes the cached tokens.
 */
final class GeminiFormat extends JsonWireFormat {

  private static final String MODELS = "/models/";
  private static final String GENERATE = ":generateContent";
  private static final String STREAM = ":streamGenerateContent";

  GeminiFormat(final ObjectMapper mapper) {
    super(mapper, "sim", path -> path.contains(MODELS) && (path.endsWith(GENERATE) || path.endsWith(STREAM)));
  }

  @Override
  public SimulatedPrompt parse(final String path, final JsonNode body) {
    requireObject(body, "Invalid JSON payload received.");
    final String model = path.substring(path.lastIndexOf(MODELS) + MODELS.length(), path.lastIndexOf(':'));
    final List<ToolSpec> tools = new ArrayList<>();
    for (final JsonNode tool : body.path("tools")) {
      for (final JsonNode function : tool.path("functionDeclarations")) {
        tools.add(new ToolSpec(function.path("name").asText(""), function.path("parameters"), function.toString().length()));
      }
    }
    final JsonNode config = body.path("generationConfig");
    final boolean thinking = config.path("thinkingConfig").path("thinkingBudget").asInt(0) > 0;
    return new SimulatedPrompt(
        model,
        messages(body),
        tools,
        toolChoice(body.path("toolConfig").path("functionCallingConfig")),
        config.path("maxOutputTokens").asInt(0),
        thinking ? "medium" : "none",
        path.endsWith(STREAM),
        true);
  }

  private static List<PromptMessage> messages(final JsonNode body) {
    final JsonNode contents = requireMessages(
        body, "contents", "* GenerateContentRequest.contents: contents is not specified");
    return conversation(body.path("systemInstruction"), system -> partsText(system.path("parts")),
        contents, GeminiFormat::message);
  }

  private static PromptMessage message(final JsonNode content) {
    int images = 0;
    for (final JsonNode part : content.path("parts")) {
      images += part.has("inlineData") || part.has("fileData") ? 1 : 0;
    }
    final String role = "model".equals(content.path("role").asText()) ? "assistant" : "user";
    return new PromptMessage(role, partsText(content.path("parts")), images);
  }

  private static String partsText(final JsonNode parts) {
    final StringBuilder text = new StringBuilder();
    for (final JsonNode part : parts) {
      if (part.has("text") && !part.path("thought").asBoolean(false)) {
        text.append(part.get("text").asText());
      } else if (part.has("functionCall")) {
        text.append(part.get("functionCall").path("name").asText("")).append(part.get("functionCall").path("args"));
      } else if (part.has("functionResponse")) {
        text.append(part.get("functionResponse").path("response"));
      }
    }
    return text.toString();
  }

  private static ToolChoice toolChoice(final JsonNode config) {
    return switch (config.path("mode").asText("AUTO")) {
      case "ANY" -> config.path("allowedFunctionNames").isArray() && !config.path("allowedFunctionNames").isEmpty()
          ? new ToolChoice(ToolChoice.Mode.FUNCTION, config.path("allowedFunctionNames").get(0).asText())
          : new ToolChoice(ToolChoice.Mode.REQUIRED, null);
      case "NONE" -> new ToolChoice(ToolChoice.Mode.NONE, null);
      default -> ToolChoice.AUTO;
    };
  }

  @Override
  public String completion(final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final ObjectNode parts = mapper.createObjectNode();
    final ArrayNode list = parts.putArray("parts");
    if (reply.toolCall() != null) {
      list.add(functionCall(reply.toolCall(), reply));
    } else {
      list.addObject().put("text", reply.content());
    }
    return response(prompt, envelope, list, finishReason(reply), reply.usage()).toString();
  }

  @Override
  public List<String> streamEvents(
      final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final List<String> events = new ArrayList<>();
    if (reply.toolCall() != null) {
      final ArrayNode list = mapper.createArrayNode().add(functionCall(reply.toolCall(), reply));
      events.add(event(response(prompt, envelope, list, finishReason(reply), reply.usage())));
      return events;
    }
    final List<String> words = words(reply.content());
    for (int i = 0; i < words.size(); i++) {
      final boolean last = i == words.size() - 1;
      final ArrayNode list = mapper.createArrayNode();
      list.addObject().put("text", words.get(i));
      events.add(event(response(prompt, envelope, list, last ? finishReason(reply) : null, last ? reply.usage() : null)));
    }
    return events;
  }

  @Override
  public String error(final SimulatedError kind, final String message, final String param) {
    final String status =
        switch (kind) {
          case RATE_LIMITED -> "RESOURCE_EXHAUSTED";
          case SERVER_ERROR -> "INTERNAL";
          case OVERLOADED -> "UNAVAILABLE";
          case NOT_FOUND -> "NOT_FOUND";
          default -> "INVALID_ARGUMENT";
        };
    final ObjectNode body = mapper.createObjectNode();
    body.putObject("error").put("code", kind.status()).put("message", message).put("status", status);
    return body.toString();
  }

  private ObjectNode response(
      final SimulatedPrompt prompt,
      final Envelope envelope,
      final ArrayNode parts,
      final String finishReason,
      final TokenUsage usage) {
    final ObjectNode body = mapper.createObjectNode();
    final ObjectNode candidate = body.putArray("candidates").addObject();
    final ObjectNode content = candidate.putObject("content");
    content.set("parts", parts);
    content.put("role", "model");
    if (finishReason != null) {
      candidate.put("finishReason", finishReason);
    }
    candidate.put("index", 0);
    if (usage != null) {
      final ObjectNode metadata =
          body.putObject("usageMetadata")
              .put("promptTokenCount", usage.promptTokens())
              .put("candidatesTokenCount", usage.completionTokens() - usage.reasoningTokens())
              .put("totalTokenCount", usage.totalTokens());
      if (usage.cachedTokens() > 0) {
        metadata.put("cachedContentTokenCount", usage.cachedTokens());
      }
      if (usage.reasoningTokens() > 0) {
        metadata.put("thoughtsTokenCount", usage.reasoningTokens());
      }
    }
    body.put("modelVersion", prompt.model()).put("responseId", envelope.id());
    return body;
  }

  private ObjectNode functionCall(final SimulatedReply.ToolCall call, final SimulatedReply reply) {
    final ObjectNode part = mapper.createObjectNode();
    final ObjectNode function = part.putObject("functionCall").put("name", call.name());
    function.set("args", arguments(call));
    part.put("thoughtSignature", signature(reply));
    return part;
  }

  private static String finishReason(final SimulatedReply reply) {
    return reply.finishReason() == SimulatedReply.FinishReason.LENGTH ? "MAX_TOKENS" : "STOP";
  }

  private static String event(final JsonNode data) {
    return "data: " + data + "\r\n\r\n";
  }
}
