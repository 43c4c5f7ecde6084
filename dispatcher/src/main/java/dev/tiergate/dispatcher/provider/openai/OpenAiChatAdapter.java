package dev.tiergate.dispatcher.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.dispatcher.provider.EmbeddingInputs;
import dev.tiergate.dispatcher.provider.ProviderAdapter;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderRequest;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.ToolDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenAI Chat Completions API ({@code POST /chat/completions}), both ways. Message translation
 * lives in {@link OpenAiMessages}; usage and stream events in {@link OpenAiWire} and {@link
 * OpenAiStreamDecoder}.
 */
public final class OpenAiChatAdapter implements ProviderAdapter {

  /** The routing decision parameter that sets a default reasoning effort. */
  public static final String REASONING_EFFORT_PARAM = "reasoning_effort";

  static final String PATH = "/chat/completions";
  static final String EMBEDDINGS_PATH = "/embeddings";
  private static final int MAX_ERROR_EXCERPT = 300;

  private final ObjectMapper mapper;
  private final String maxTokensField;
  private final ProviderFormat format;

  private OpenAiChatAdapter(
      final ObjectMapper mapper, final String maxTokensField, final ProviderFormat format) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.maxTokensField = Objects.requireNonNull(maxTokensField, "maxTokensField");
    this.format = Objects.requireNonNull(format, "format");
  }

  /**
   * OpenAI itself: the output limit goes in {@code max_completion_tokens} (reasoning models reject
   * {@code max_tokens}).
   */
  public static OpenAiChatAdapter openAi(final ObjectMapper mapper) {
    return new OpenAiChatAdapter(mapper, "max_completion_tokens", ProviderFormat.OPENAI);
  }

  /** Servers that only copy the older API (many OpenAI-compatible ones) read {@code max_tokens}. */
  public static OpenAiChatAdapter compatible(final ObjectMapper mapper) {
    return new OpenAiChatAdapter(mapper, "max_tokens", ProviderFormat.OPENAI_COMPATIBLE);
  }

  @Override
  public ProviderFormat format() {
    return format;
  }

  @Override
  public ProviderRequest buildRequest(
      final ChatRequest request,
      final String upstreamModel,
      final Map<String, String> routeParams,
      final boolean stream) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    Objects.requireNonNull(routeParams, "routeParams");
    final ObjectNode body = mapper.createObjectNode();
    body.put("model", upstreamModel);
    body.set("messages", new OpenAiMessages(mapper).toWire(request.getMessages()));
    putTools(body, request);
    putSampling(body, request.getSampling(), routeParams);
    if (stream) {
      body.put("stream", true);
      body.putObject("stream_options").put("include_usage", true);
    }
    return new ProviderRequest(
        PATH,
        Map.of(
            "content-type", "application/json",
            "accept", stream ? "text/event-stream" : "application/json"),
        write(body));
  }

  /**
   * {@code POST /embeddings} with every input in order, the caller's {@code dimensions}, and float
   * vectors (the ingress base64-encodes them itself when its caller asks).
   */
  @Override
  public ProviderRequest buildEmbeddingsRequest(final ChatRequest request, final String upstreamModel) {
    Objects.requireNonNull(request, "request");
    final ObjectNode body = mapper.createObjectNode();
    body.put("model", Objects.requireNonNull(upstreamModel, "upstreamModel"));
    final ArrayNode input = body.putArray("input");
    EmbeddingInputs.of(request).forEach(input::add);
    if (request.getEmbeddingDimensions() != null) {
      body.put("dimensions", request.getEmbeddingDimensions());
    }
    body.put("encoding_format", "float");
    return new ProviderRequest(
        EMBEDDINGS_PATH, Map.of("content-type", "application/json", "accept", "application/json"), write(body));
  }

  /** The vectors ordered by their {@code index}, and {@code prompt_tokens} as the input tokens. */
  @Override
  public ProviderReply parseEmbeddingsResponse(final byte[] body) {
    final JsonNode root = read(body);
    final JsonNode data = root.path("data");
    if (!data.isArray()) {
      throw ProviderFailure.invalidResponse("answer has no data", null);
    }
    final List<List<Float>> vectors = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      vectors.add(null);
    }
    for (final JsonNode item : data) {
      final int index = item.path("index").asInt(-1);
      if (index < 0 || index >= data.size() || vectors.get(index) != null) {
        throw ProviderFailure.invalidResponse("answer has a missing or repeated embedding index", null);
      }
      vectors.set(index, EmbeddingInputs.vector(item.get("embedding")));
    }
    return ProviderReply.embeddings(vectors, OpenAiWire.usage(root.get("usage")));
  }

  @Override
  public Map<String, String> authHeaders(final String apiKey) {
    return Map.of("authorization", "Bearer " + Objects.requireNonNull(apiKey, "apiKey"));
  }

  @Override
  public ProviderReply parseResponse(final byte[] body) {
    final JsonNode root = read(body);
    final JsonNode choice = root.path("choices").path(0);
    if (!choice.isObject()) {
      throw ProviderFailure.invalidResponse("answer has no choices", null);
    }
    final JsonNode message = choice.path("message");
    String content = OpenAiWire.text(message.get("content"));
    if (content == null) {
      content = OpenAiWire.text(message.get("refusal"));
    }
    final List<ToolCall> toolCalls = new ArrayList<>();
    for (final JsonNode call : message.path("tool_calls")) {
      toolCalls.add(toolCall(call));
    }
    return new ProviderReply(
        content,
        OpenAiWire.reasoning(message),
        toolCalls,
        OpenAiWire.finishReason(choice.get("finish_reason")),
        OpenAiWire.usage(root.get("usage")));
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new OpenAiStreamDecoder(mapper);
  }

  @Override
  public String errorMessage(final byte[] body) {
    try {
      final JsonNode message = mapper.readTree(body).path("error").path("message");
      if (message.isTextual() && !message.asText().isBlank()) {
        return excerpt(message.asText());
      }
    } catch (IOException e) {
      // Not JSON: fall through to the raw excerpt below.
    }
    final String raw = new String(body, StandardCharsets.UTF_8).strip();
    return raw.isEmpty() ? "no details" : excerpt(raw);
  }

  private void putTools(final ObjectNode body, final ChatRequest request) {
    if (!request.getTools().isEmpty()) {
      final ArrayNode tools = body.putArray("tools");
      for (final ToolDefinition tool : request.getTools()) {
        final ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.getName());
        if (tool.getDescription() != null) {
          function.put("description", tool.getDescription());
        }
        function.set("parameters", json(tool.getParametersJson(), "parameters of " + tool.getName()));
      }
    }
    if (request.getToolChoiceJson() != null) {
      body.set("tool_choice", jsonOrText(request.getToolChoiceJson()));
    }
  }

  private void putSampling(
      final ObjectNode body, final SamplingParams sampling, final Map<String, String> routeParams) {
    if (sampling.getTemperature() != null) {
      body.put("temperature", sampling.getTemperature());
    }
    if (sampling.getTopP() != null) {
      body.put("top_p", sampling.getTopP());
    }
    if (sampling.getMaxTokens() != null) {
      body.put(maxTokensField, sampling.getMaxTokens());
    }
    if (!sampling.getStop().isEmpty()) {
      final ArrayNode stop = body.putArray("stop");
      sampling.getStop().forEach(stop::add);
    }
    if (sampling.getSeed() != null) {
      body.put("seed", sampling.getSeed());
    }
    if (sampling.getResponseFormatJson() != null) {
      body.set("response_format", json(sampling.getResponseFormatJson(), "response_format"));
    }
    Optional.ofNullable(sampling.getReasoningEffort())
        .or(() -> Optional.ofNullable(routeParams.get(REASONING_EFFORT_PARAM)))
        .ifPresent(effort -> body.put("reasoning_effort", effort));
  }

  private static ToolCall toolCall(final JsonNode call) {
    final JsonNode function = call.path("function");
    final String arguments = function.path("arguments").asText("");
    return ToolCall.newBuilder()
        .setId(call.path("id").asText(""))
        .setName(function.path("name").asText(""))
        .setArgumentsJson(arguments.isEmpty() ? "{}" : arguments)
        .build();
  }

  private JsonNode json(final String text, final String what) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw ProviderFailure.invalidRequest(what + " is not valid JSON");
    }
  }

  /** tool_choice arrives as JSON ({@code "auto"} or an object); a bare word is accepted too. */
  private JsonNode jsonOrText(final String text) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return mapper.getNodeFactory().textNode(text);
    }
  }

  private JsonNode read(final byte[] body) {
    try {
      final JsonNode root = mapper.readTree(body);
      if (root == null || !root.isObject()) {
        throw ProviderFailure.invalidResponse("answer is not a JSON object", null);
      }
      return root;
    } catch (IOException e) {
      throw ProviderFailure.invalidResponse("answer is not JSON", e);
    }
  }

  private byte[] write(final ObjectNode body) {
    try {
      return mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw ProviderFailure.invalidRequest("cannot write request JSON");
    }
  }

  private static String excerpt(final String text) {
    return text.length() <= MAX_ERROR_EXCERPT ? text : text.substring(0, MAX_ERROR_EXCERPT) + "…";
  }
}
