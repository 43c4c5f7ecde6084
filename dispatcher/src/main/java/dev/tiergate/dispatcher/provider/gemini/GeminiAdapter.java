package dev.tiergate.dispatcher.provider.gemini;

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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Google Gemini's {@code models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse},
 * both ways. A reasoning effort becomes a thinking budget with thought summaries included, so the
 * reasoning and its signature come back. The base URL is the API version root, e.g. {@code
 * https://generativelanguage.googleapis.com/v1beta}.
 */
public final class GeminiAdapter extends JsonProviderAdapter {

  /** Letters, digits, '.', '_' and '-', no leading dot; nothing that ends or escapes a path segment. */
  private static final Pattern SAFE_MODEL = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
  private static final Map<String, Integer> THINKING_BUDGETS =
      Map.of("minimal", 0, "low", 1024, "medium", 8192, "high", 24576);
  private static final SamplingFields SAMPLING =
      new SamplingFields("topP", "maxOutputTokens", "stopSequences");

  private final GeminiContents contents;

  public GeminiAdapter(final ObjectMapper mapper) {
    super(mapper, ProviderFormat.GEMINI);
    this.contents = new GeminiContents(json);
  }

  @Override
  protected ProviderRequest chatRequest(final ChatCall call) {
    final ChatRequest request = call.request();
    final ObjectNode body = json.mapper().createObjectNode();
    contents.systemInstruction(request.getMessages()).ifPresent(system -> body.set("systemInstruction", system));
    body.set("contents", contents.contents(request.getMessages()));
    putTools(
        request,
        () -> body.putArray("tools").addObject().putArray("functionDeclarations"),
        this::putTool,
        choice -> toolConfig(choice).ifPresent(config -> body.set("toolConfig", config)));
    body.set("generationConfig", generationConfig(call));
    final String path =
        "/models/" + pathSegment(call.upstreamModel())
            + (call.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent");
    return ProviderRequest.json(path, json.write(body), call.stream());
  }

  /**
   * The model name as it goes into the URL path: only the characters model names use, so no name
   * can add a query, a fragment, another method or a different path.
   */
  static String pathSegment(final String upstreamModel) {
    if (!SAFE_MODEL.matcher(upstreamModel).matches()) {
      throw ProviderFailure.invalidRequest("the catalogue's upstream model is not a valid Gemini model name");
    }
    return upstreamModel;
  }

  /**
   * {@code models/{model}:batchEmbedContents}: one request per input, in order, each with the
   * caller's dimensions as {@code outputDimensionality}.
   */
  @Override
  public ProviderRequest buildEmbeddingsRequest(final ChatRequest request, final String upstreamModel) {
    Objects.requireNonNull(request, "request");
    final String model = pathSegment(Objects.requireNonNull(upstreamModel, "upstreamModel"));
    final ObjectNode body = json.mapper().createObjectNode();
    final ArrayNode requests = body.putArray("requests");
    for (final String input : EmbeddingInputs.of(request)) {
      final ObjectNode item = requests.addObject().put("model", "models/" + model);
      item.putObject("content").putArray("parts").addObject().put("text", input);
      if (request.getEmbeddingDimensions() != null) {
        item.put("outputDimensionality", request.getEmbeddingDimensions());
      }
    }
    return ProviderRequest.json("/models/" + model + ":batchEmbedContents", json.write(body), false);
  }

  /**
   * The vectors in request order. Gemini's embedding answers carry no token counts, so the usage is
   * left empty and the dispatcher estimates it (marked {@code estimated}).
   */
  @Override
  public ProviderReply parseEmbeddingsResponse(final byte[] body) {
    final JsonNode embeddings = AdapterJson.arrayIn(json.readAnswer(body), "embeddings", "answer has no embeddings");
    final List<List<Float>> vectors = new ArrayList<>(embeddings.size());
    embeddings.forEach(embedding -> vectors.add(EmbeddingInputs.vector(embedding.get("values"))));
    return ProviderReply.embeddings(vectors, Optional.empty());
  }

  @Override
  public Map<String, String> authHeaders(final String apiKey) {
    return Map.of("x-goog-api-key", Objects.requireNonNull(apiKey, "apiKey"));
  }

  @Override
  public ProviderReply parseResponse(final byte[] body) {
    final JsonNode root = json.readAnswer(body);
    final JsonNode candidate = root.path("candidates").path(0);
    if (!candidate.isObject()) {
      final String blocked = root.path("promptFeedback").path("blockReason").asText("");
      if (!blocked.isEmpty()) {
        return new ProviderReply(null, null, List.of(), "content_filter", GeminiWire.usage(root.get("usageMetadata")));
      }
      throw ProviderFailure.invalidResponse("answer has no candidates", null);
    }
    final StringBuilder text = new StringBuilder();
    final StringBuilder thoughts = new StringBuilder();
    final List<ToolCall> calls = new ArrayList<>();
    String signature = null;
    for (final JsonNode part : candidate.path("content").path("parts")) {
      if (part.has("thoughtSignature") && signature == null) {
        signature = part.get("thoughtSignature").asText();
      }
      if (part.has("functionCall")) {
        calls.add(GeminiWire.toolCall(part.get("functionCall"), calls.size()));
      } else if (part.path("thought").asBoolean(false)) {
        thoughts.append(part.path("text").asText(""));
      } else if (part.has("text")) {
        text.append(part.get("text").asText());
      }
    }
    return new ProviderReply(
        text.length() > 0 ? text.toString() : null,
        thoughts.length() > 0 ? thoughts.toString() : null,
        calls,
        GeminiWire.finishReason(candidate.get("finishReason"), !calls.isEmpty()),
        GeminiWire.usage(root.get("usageMetadata")),
        signature);
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new GeminiStreamDecoder(json);
  }

  private void putTool(final ObjectNode node, final ToolDefinition tool) {
    AdapterJson.putToolName(node, tool);
    final JsonNode schema = json.toolParameters(tool);
    if (!schema.isEmpty()) {
      node.set("parameters", schema);
    }
  }

  private Optional<ObjectNode> toolConfig(final String choiceJson) {
    final JsonNode choice = json.toolChoice(choiceJson);
    final ObjectNode config = json.mapper().createObjectNode();
    final ObjectNode calling = config.putObject("functionCallingConfig");
    if (choice.isTextual()) {
      final String mode =
          switch (choice.asText().toLowerCase(Locale.ROOT)) {
            case "none" -> "NONE";
            case "required" -> "ANY";
            default -> "AUTO";
          };
      calling.put("mode", mode);
      return Optional.of(config);
    }
    final JsonNode name = choice.path("function").path("name");
    if (!name.isTextual()) {
      return Optional.empty();
    }
    calling.put("mode", "ANY").putArray("allowedFunctionNames").add(name.asText());
    return Optional.of(config);
  }

  private ObjectNode generationConfig(final ChatCall call) {
    final SamplingParams sampling = call.sampling();
    final ObjectNode config = json.mapper().createObjectNode();
    SAMPLING.put(config, sampling);
    if (sampling.getResponseFormatJson() != null) {
      responseFormat(config, json.requestJson(sampling.getResponseFormatJson(), "response_format"));
    }
    call.reasoningEffort()
        .map(effort -> THINKING_BUDGETS.get(effort.toLowerCase(Locale.ROOT)))
        .ifPresent(
            budget ->
                config.putObject("thinkingConfig").put("thinkingBudget", budget).put("includeThoughts", budget > 0));
    return config;
  }

  /** OpenAI's {@code json_object}/{@code json_schema} as a JSON mime type (plus the schema). */
  private static void responseFormat(final ObjectNode config, final JsonNode format) {
    final String type = format.path("type").asText("");
    if ("json_object".equals(type) || "json_schema".equals(type)) {
      config.put("responseMimeType", "application/json");
      final JsonNode schema = format.path("json_schema").path("schema");
      if (schema.isObject()) {
        config.set("responseJsonSchema", schema);
      }
    }
  }
}
