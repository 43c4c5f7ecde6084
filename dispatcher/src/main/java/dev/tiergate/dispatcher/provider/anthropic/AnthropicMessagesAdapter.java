package dev.tiergate.dispatcher.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.JsonProviderAdapter;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderRequest;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Anthropic Messages API ({@code POST /messages}), both ways. Anthropic requires an output cap,
 * so a request without one gets {@link #DEFAULT_MAX_TOKENS}; a reasoning effort becomes an extended
 * thinking budget (temperature/top_p are left out, as Anthropic requires with thinking on). A
 * caller's own cap bounds thinking and text together, as OpenAI's {@code max_completion_tokens}
 * bounds reasoning and text: the budget shrinks to fit under it, and thinking stays off when less
 * than Anthropic's minimum budget fits. The cap is what the caller pays for at most, and what the
 * router reserves a budget for. Without a caller cap the default cap is raised by the budget. {@code response_format} and {@code seed} have no Anthropic
 * equivalent and are not sent.
 */
public final class AnthropicMessagesAdapter extends JsonProviderAdapter {

  /** The API version header value this adapter speaks. */
  public static final String API_VERSION = "2023-06-01";
  /** Output cap sent when the caller set none (Anthropic requires one). */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  static final String PATH = "/messages";
  private static final Map<String, Integer> THINKING_BUDGETS =
      Map.of("low", 1024, "medium", 4096, "high", 16384);
  /** The smallest thinking budget Anthropic accepts. */
  static final int MIN_THINKING_BUDGET = 1024;

  private final AnthropicMessages messages;

  public AnthropicMessagesAdapter(final ObjectMapper mapper) {
    super(mapper, ProviderFormat.ANTHROPIC);
    this.messages = new AnthropicMessages(json);
  }

  @Override
  protected ProviderRequest chatRequest(final ChatCall call) {
    final ChatRequest request = call.request();
    final ObjectNode body = json.mapper().createObjectNode();
    body.put("model", call.upstreamModel());
    messages.system(request.getMessages()).ifPresent(system -> body.set("system", system));
    body.set("messages", messages.messages(request.getMessages()));
    putTools(request, () -> body.putArray("tools"), this::putTool,
        choice -> toolChoice(choice).ifPresent(anthropic -> body.set("tool_choice", anthropic)));
    putSampling(body, call);
    if (call.stream()) {
      body.put("stream", true);
    }
    return ProviderRequest.json(PATH, json.write(body), call.stream(), Map.of("anthropic-version", API_VERSION));
  }

  @Override
  public Map<String, String> authHeaders(final String apiKey) {
    return Map.of("x-api-key", Objects.requireNonNull(apiKey, "apiKey"));
  }

  @Override
  public ProviderReply parseResponse(final byte[] body) {
    final JsonNode root = json.readAnswer(body);
    final JsonNode content = AdapterJson.arrayIn(root, "content", "answer has no content array");
    final StringBuilder text = new StringBuilder();
    final StringBuilder thinking = new StringBuilder();
    final List<ToolCall> toolCalls = new ArrayList<>();
    String signature = null;
    boolean sawText = false;
    boolean sawThinking = false;
    for (final JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> {
          text.append(block.path("text").asText(""));
          sawText = true;
        }
        case "thinking" -> {
          thinking.append(block.path("thinking").asText(""));
          signature = block.path("signature").asText(null);
          sawThinking = true;
        }
        case "tool_use" -> toolCalls.add(toolCall(block));
        default -> { /* redacted_thinking and server tool blocks carry nothing for the client */ }
      }
    }
    final JsonNode usage = root.path("usage");
    return new ProviderReply(
        sawText ? text.toString() : null,
        sawThinking ? thinking.toString() : null,
        toolCalls,
        AnthropicWire.finishReason(root.get("stop_reason")),
        usage.isObject()
            ? Optional.of(AnthropicWire.usage(usage, usage.path("output_tokens").asLong(0)))
            : Optional.empty(),
        signature);
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new AnthropicStreamDecoder(json);
  }

  private void putTool(final ObjectNode node, final ToolDefinition tool) {
    final ObjectNode named = AdapterJson.putToolName(node, tool);
    final JsonNode schema = json.toolParameters(tool);
    // Anthropic requires an object schema; a tool without parameters has an empty one.
    named.set("input_schema", schema.isEmpty() ? json.mapper().createObjectNode().put("type", "object") : schema);
  }

  /** OpenAI's tool_choice ({@code auto}, {@code none}, {@code required}, a function) in Anthropic's. */
  private Optional<ObjectNode> toolChoice(final String choiceJson) {
    final JsonNode choice = json.toolChoice(choiceJson);
    final ObjectNode out = json.mapper().createObjectNode();
    if (choice.isTextual()) {
      final String mode = choice.asText().toLowerCase(Locale.ROOT);
      return switch (mode) {
        case "auto", "none" -> Optional.of(out.put("type", mode));
        case "required", "any" -> Optional.of(out.put("type", "any"));
        default -> Optional.empty();
      };
    }
    final JsonNode function = choice.path("function").path("name");
    if (function.isTextual()) {
      return Optional.of(out.put("type", "tool").put("name", function.asText()));
    }
    return choice.has("type") ? Optional.of(((ObjectNode) choice).deepCopy()) : Optional.empty();
  }

  /**
   * The thinking budget that fits under a caller's cap: Anthropic wants it below {@code max_tokens}
   * and at least {@link #MIN_THINKING_BUDGET}; 0 (thinking off) when that does not fit.
   */
  static int thinkingWithin(final int cap, final int effortBudget) {
    final int budget = Math.min(effortBudget, cap - 1);
    return budget >= MIN_THINKING_BUDGET ? budget : 0;
  }

  private void putSampling(final ObjectNode body, final ChatCall call) {
    final SamplingParams sampling = call.sampling();
    final int effortBudget =
        call.reasoningEffort()
            .map(effort -> THINKING_BUDGETS.getOrDefault(effort.toLowerCase(Locale.ROOT), 0))
            .orElse(0);
    final Integer asked = sampling.getMaxTokens();
    final int budget = asked == null ? effortBudget : thinkingWithin(asked, effortBudget);
    body.put("max_tokens", asked == null ? DEFAULT_MAX_TOKENS + effortBudget : asked);
    if (budget > 0) {
      body.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
    } else {
      if (sampling.getTemperature() != null) {
        body.put("temperature", sampling.getTemperature());
      }
      if (sampling.getTopP() != null) {
        body.put("top_p", sampling.getTopP());
      }
    }
    if (!sampling.getStop().isEmpty()) {
      final ArrayNode stop = body.putArray("stop_sequences");
      sampling.getStop().forEach(stop::add);
    }
  }

  private static ToolCall toolCall(final JsonNode block) {
    final JsonNode input = block.path("input");
    return ToolCall.newBuilder()
        .setId(block.path("id").asText(""))
        .setName(block.path("name").asText(""))
        .setArgumentsJson(input.isObject() ? input.toString() : "{}")
        .build();
  }
}
