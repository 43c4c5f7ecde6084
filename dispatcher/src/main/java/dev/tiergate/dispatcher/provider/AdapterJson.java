package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.ToolDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * JSON reading and writing shared by the adapters, with every failure mapped to the {@link
 * ProviderFailure} kind the retry policy expects (a bad request is ours, a bad answer is theirs).
 */
public final class AdapterJson {

  private static final int MAX_ERROR_EXCERPT = 300;

  private final ObjectMapper mapper;

  public AdapterJson(final ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** The answer's {@code field}, which must be an array; an invalid answer, said by {@code missing}, else. */
  public static JsonNode arrayIn(final JsonNode answer, final String field, final String missing) {
    final JsonNode array = answer.path(field);
    if (!array.isArray()) {
      throw ProviderFailure.invalidResponse(missing, null);
    }
    return array;
  }

  /** A provider answer that must be a JSON object. */
  public JsonNode readAnswer(final byte[] body) {
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

  /** One stream event's data. */
  public JsonNode readEvent(final String data) {
    try {
      return mapper.readTree(data);
    } catch (IOException e) {
      throw ProviderFailure.invalidResponse("stream event is not JSON", e);
    }
  }

  /** JSON text that came in with the request (tool schemas, arguments). */
  public JsonNode requestJson(final String text, final String what) {
    try {
      return mapper.readTree(text == null || text.isBlank() ? "{}" : text);
    } catch (JsonProcessingException e) {
      throw ProviderFailure.invalidRequest(what + " is not valid JSON");
    }
  }

  /** A tool's parameter schema, as JSON ({@code {}} when it has none). */
  public JsonNode toolParameters(final ToolDefinition tool) {
    return requestJson(tool.getParametersJson(), "parameters of " + tool.getName());
  }

  /** A tool's name and, when it has one, its description: how every format declares a tool. */
  public static ObjectNode putToolName(final ObjectNode node, final ToolDefinition tool) {
    node.put("name", tool.getName());
    if (tool.getDescription() != null) {
      node.put("description", tool.getDescription());
    }
    return node;
  }

  /**
   * A {@code tool_choice} as the caller sent it: JSON when it looks like JSON (an object or a
   * quoted word), else the bare word ({@code auto}, {@code required}...).
   */
  public JsonNode toolChoice(final String choiceJson) {
    final String trimmed = choiceJson.trim();
    return trimmed.startsWith("{") || trimmed.startsWith("\"")
        ? requestJson(trimmed, "tool_choice")
        : mapper.getNodeFactory().textNode(trimmed);
  }

  public byte[] write(final JsonNode body) {
    try {
      return mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw ProviderFailure.invalidRequest("cannot write request JSON");
    }
  }

  /**
   * The provider's message in an error body ({@code error.message} in OpenAI's, Anthropic's and
   * Google's shapes alike), else a short excerpt of the raw body.
   */
  public String errorMessage(final byte[] body) {
    try {
      final JsonNode message = mapper.readTree(body).path("error").path("message");
      if (message.isTextual() && !message.asText().isBlank()) {
        return excerpt(message.asText());
      }
    } catch (IOException e) {
      // Not JSON: the raw excerpt below is the best there is.
      return rawExcerpt(body);
    }
    return rawExcerpt(body);
  }

  private static String rawExcerpt(final byte[] body) {
    final String raw = new String(body, StandardCharsets.UTF_8).strip();
    return raw.isEmpty() ? "no details" : excerpt(raw);
  }

  private static String excerpt(final String text) {
    return text.length() <= MAX_ERROR_EXCERPT ? text : text.substring(0, MAX_ERROR_EXCERPT) + "…";
  }
}
