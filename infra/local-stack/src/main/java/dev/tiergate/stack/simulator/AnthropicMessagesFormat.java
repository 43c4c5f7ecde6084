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

/**
 * Anthropic's Messages format: requests under any path ending in {@code /messages}, {@code
 * message} bodies with content blocks, the named-event stream ({@code message_start} …
 * {@code message_stop}) and Anthropic's error JSON. Usage is reported Anthropic's way: {@code
 * input_tokens} without the cache reads, which are reported apart. With {@code thinking} enabled
 * the answer starts with a signed thinking block.
 */
final class AnthropicMessagesFormat extends JsonWireFormat {

  private static final String THINKING = "Simulated thinking about the request.";

  AnthropicMessagesFormat(final ObjectMapper mapper) {
    super(mapper, "msg_sim", path -> path.endsWith("/messages"));
  }

  @Override
  public SimulatedPrompt parse(final String path, final JsonNode body) {
    requireObject(body);
    final String model = requireModel(body, "model: Field required");
    final JsonNode maxTokens = body.path("max_tokens");
    if (!maxTokens.canConvertToInt() || maxTokens.asInt() < 1) {
      throw new InvalidRequestException("max_tokens: Field required", "max_tokens");
    }
    final List<ToolSpec> tools = new ArrayList<>();
    for (final JsonNode tool : body.path("tools")) {
      tools.add(new ToolSpec(tool.path("name").asText(""), tool.path("input_schema"), tool.toString().length()));
    }
    final boolean thinking = "enabled".equals(body.path("thinking").path("type").asText());
    return new SimulatedPrompt(
        model,
        messages(body),
        tools,
        toolChoice(body.path("tool_choice")),
        maxTokens.asInt(),
        thinking ? "medium" : "none",
        body.path("stream").asBoolean(false),
        true);
  }

  private static List<PromptMessage> messages(final JsonNode body) {
    final JsonNode messages =
        requireMessages(body, "messages", "messages: at least one message is required");
    return conversation(body.path("system"), AnthropicMessagesFormat::blocksText, messages,
        AnthropicMessagesFormat::message);
  }

  private static PromptMessage message(final JsonNode message) {
    final String role = message.path("role").asText("");
    if (!"user".equals(role) && !"assistant".equals(role)) {
      throw new InvalidRequestException("messages: role must be user or assistant", "messages");
    }
    int images = 0;
    for (final JsonNode block : message.path("content")) {
      images += "image".equals(block.path("type").asText()) ? 1 : 0;
    }
    return new PromptMessage(role, blocksText(message.path("content")), images);
  }

  /** The text of a string or of content blocks: text, tool input and tool results. */
  private static String blocksText(final JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    final StringBuilder text = new StringBuilder();
    for (final JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText(""));
        case "tool_use" -> text.append(block.path("name").asText("")).append(block.path("input"));
        case "tool_result" -> text.append(blocksText(block.path("content")));
        default -> { /* images, thinking: not counted as text */ }
      }
    }
    return text.toString();
  }

  private static ToolChoice toolChoice(final JsonNode choice) {
    return switch (choice.path("type").asText("auto")) {
      case "any" -> new ToolChoice(ToolChoice.Mode.REQUIRED, null);
      case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null);
      case "tool" -> new ToolChoice(ToolChoice.Mode.FUNCTION, choice.path("name").asText(""));
      default -> ToolChoice.AUTO;
    };
  }

  /** The head of an assistant message: its id, type, role and model. */
  private ObjectNode message(final SimulatedPrompt prompt, final Envelope envelope) {
    return mapper.createObjectNode()
        .put("id", envelope.id())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", prompt.model());
  }

  @Override
  public String completion(final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final ObjectNode body = message(prompt, envelope);
    final var content = body.putArray("content");
    if (thinking(prompt)) {
      content.addObject().put("type", "thinking").put("thinking", THINKING).put("signature", signature(reply));
    }
    if (reply.toolCall() != null) {
      content.add(toolUse(reply.toolCall(), true));
    } else {
      content.addObject().put("type", "text").put("text", reply.content());
    }
    body.put("stop_reason", stopReason(reply));
    body.putNull("stop_sequence");
    body.set("usage", usage(reply.usage(), true));
    return body.toString();
  }

  @Override
  public List<String> streamEvents(
      final SimulatedPrompt prompt, final SimulatedReply reply, final Envelope envelope) {
    final List<String> events = new ArrayList<>();
    final ObjectNode message = message(prompt, envelope);
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.set("usage", usage(reply.usage(), false));
    events.add(event("message_start", mapper.createObjectNode().put("type", "message_start").set("message", message)));
    int index = 0;
    if (thinking(prompt)) {
      events.add(blockStart(index, mapper.createObjectNode().put("type", "thinking").put("thinking", "")));
      events.add(blockDelta(index, mapper.createObjectNode().put("type", "thinking_delta").put("thinking", THINKING)));
      events.add(blockDelta(index, mapper.createObjectNode().put("type", "signature_delta").put("signature", signature(reply))));
      events.add(blockStop(index++));
    }
    if (reply.toolCall() != null) {
      events.add(blockStart(index, toolUse(reply.toolCall(), false)));
      for (final String piece : pieces(reply.toolCall().arguments())) {
        events.add(blockDelta(index, mapper.createObjectNode().put("type", "input_json_delta").put("partial_json", piece)));
      }
    } else {
      events.add(blockStart(index, mapper.createObjectNode().put("type", "text").put("text", "")));
      for (final String piece : words(reply.content())) {
        events.add(blockDelta(index, mapper.createObjectNode().put("type", "text_delta").put("text", piece)));
      }
    }
    events.add(blockStop(index));
    final ObjectNode delta = mapper.createObjectNode().put("type", "message_delta");
    delta.putObject("delta").put("stop_reason", stopReason(reply)).putNull("stop_sequence");
    delta.putObject("usage").put("output_tokens", reply.usage().completionTokens());
    events.add(event("message_delta", delta));
    events.add(event("message_stop", mapper.createObjectNode().put("type", "message_stop")));
    return events;
  }

  @Override
  public String error(final SimulatedError kind, final String message, final String param) {
    final String type =
        switch (kind) {
          case RATE_LIMITED -> "rate_limit_error";
          case SERVER_ERROR -> "api_error";
          case OVERLOADED -> "overloaded_error";
          case NOT_FOUND -> "not_found_error";
          default -> "invalid_request_error";
        };
    final ObjectNode body = mapper.createObjectNode().put("type", "error");
    body.putObject("error").put("type", type).put("message", message);
    return body.toString();
  }

  private ObjectNode toolUse(final SimulatedReply.ToolCall call, final boolean withInput) {
    final ObjectNode node =
        mapper.createObjectNode().put("type", "tool_use").put("id", "toolu_" + call.id()).put("name", call.name());
    node.set("input", withInput ? arguments(call) : mapper.createObjectNode());
    return node;
  }

  /** Anthropic's split: input without cache reads, cache reads apart; output includes thinking. */
  private ObjectNode usage(final TokenUsage usage, final boolean withOutput) {
    return mapper.createObjectNode()
        .put("input_tokens", usage.promptTokens() - usage.cachedTokens())
        .put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", usage.cachedTokens())
        .put("output_tokens", withOutput ? usage.completionTokens() : 1);
  }

  private String blockStart(final int index, final ObjectNode block) {
    final ObjectNode event = mapper.createObjectNode().put("type", "content_block_start").put("index", index);
    event.set("content_block", block);
    return event("content_block_start", event);
  }

  private String blockDelta(final int index, final ObjectNode delta) {
    final ObjectNode event = mapper.createObjectNode().put("type", "content_block_delta").put("index", index);
    event.set("delta", delta);
    return event("content_block_delta", event);
  }

  private String blockStop(final int index) {
    return event("content_block_stop", mapper.createObjectNode().put("type", "content_block_stop").put("index", index));
  }

  private static boolean thinking(final SimulatedPrompt prompt) {
    return !"none".equals(prompt.reasoningEffort());
  }

  private static String stopReason(final SimulatedReply reply) {
    return switch (reply.finishReason()) {
      case LENGTH -> "max_tokens";
      case TOOL_CALLS -> "tool_use";
      default -> "end_turn";
    };
  }

  private static String event(final String name, final JsonNode data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }
}
