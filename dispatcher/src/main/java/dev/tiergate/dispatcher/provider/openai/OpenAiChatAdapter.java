package dev.tiergate.dispatcher.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.EmbeddingInputs;
import dev.tiergate.dispatcher.provider.JsonProviderAdapter;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderRequest;
import dev.tiergate.dispatcher.provider.SamplingFields;
import dev.tiergate.dispatcher.provider.StreamDecoder;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The OpenAI Chat Completions API ({@code POST /chat/completions}), both ways. Message translation
 * lives in {@link OpenAiMessages}; usage and stream events in {@link OpenAiWire} and {@link
 * OpenAiStreamDecoder}.
 */
public final class OpenAiChatAdapter extends JsonProviderAdapter {

  static final String PATH = "/chat/completions";
  static final String EMBEDDINGS_PATH = "/embeddings";

  private final SamplingFields samplingFields;
  private final OpenAiMessages messages;

  private OpenAiChatAdapter(
      final ObjectMapper mapper, final String maxTokensField, final ProviderFormat format) {
    super(mapper, format);
    this.samplingFields = new SamplingFields("top_p", maxTokensField, "stop");
    this.messages = new OpenAiMessages(json.mapper());
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
  protected ProviderRequest chatRequest(final ChatCall call) {
    final ChatRequest request = call.request();
    final ObjectNode body = json.mapper().createObjectNode();
    body.put("model", call.upstreamModel());
    body.set("messages", messages.toWire(request.getMessages()));
    putTools(request, () -> body.putArray("tools"), this::putTool,
        choice -> body.set("tool_choice", jsonOrText(choice)));
    putSampling(body, call);
    if (call.stream()) {
      body.put("stream", true);
      body.putObject("stream_options").put("include_usage", true);
    }
    return ProviderRequest.json(PATH, json.write(body), call.stream());
  }

  /**
   * {@code POST /embeddings} with every input in order, the caller's {@code dimensions}, and float
   * vectors (the ingress base64-encodes them itself when its caller asks).
   */
  @Override
  public ProviderRequest buildEmbeddingsRequest(final ChatRequest request, final String upstreamModel) {
    Objects.requireNonNull(request, "request");
    final ObjectNode body = json.mapper().createObjectNode();
    body.put("model", Objects.requireNonNull(upstreamModel, "upstreamModel"));
    final ArrayNode input = body.putArray("input");
    EmbeddingInputs.of(request).forEach(input::add);
    if (request.getEmbeddingDimensions() != null) {
      body.put("dimensions", request.getEmbeddingDimensions());
    }
    body.put("encoding_format", "float");
    return ProviderRequest.json(EMBEDDINGS_PATH, json.write(body), false);
  }

  /** The vectors ordered by their {@code index}, and {@code prompt_tokens} as the input tokens. */
  @Override
  public ProviderReply parseEmbeddingsResponse(final byte[] body) {
    final JsonNode root = json.readAnswer(body);
    final JsonNode data = AdapterJson.arrayIn(root, "data", "answer has no data");
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
    final JsonNode root = json.readAnswer(body);
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
    return new OpenAiStreamDecoder(json);
  }

  private void putTool(final ObjectNode node, final ToolDefinition tool) {
    final ObjectNode function = node.put("type", "function").putObject("function");
    AdapterJson.putToolName(function, tool).set("parameters", json.toolParameters(tool));
  }

  private void putSampling(final ObjectNode body, final ChatCall call) {
    final SamplingParams sampling = call.sampling();
    samplingFields.put(body, sampling);
    if (sampling.getResponseFormatJson() != null) {
      body.set("response_format", json.requestJson(sampling.getResponseFormatJson(), "response_format"));
    }
    call.reasoningEffort().ifPresent(effort -> body.put("reasoning_effort", effort));
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

  /** tool_choice arrives as JSON ({@code "auto"} or an object); a bare word is accepted too. */
  private JsonNode jsonOrText(final String text) {
    try {
      return json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      return json.mapper().getNodeFactory().textNode(text);
    }
  }
}
