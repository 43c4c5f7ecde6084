package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.openai.OpenAiJson;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Renders OpenAI Batch API output lines: {@code id}, {@code custom_id}, {@code response}
 * ({@code status_code}, {@code request_id}, {@code body}) and {@code error}. The body of an answered
 * item is the same {@code chat.completion} the HTTP API returns (the ingress renders it); a failed
 * item carries the error body with its HTTP status; an item with no answer yet has no response and an
 * {@code error} saying so.
 */
final class BatchResultLines {

  static final String PENDING_CODE = "batch_item_pending";

  private final ObjectMapper json;
  private final OpenAiJson openAi;

  BatchResultLines(final ObjectMapper json) {
    this.json = Objects.requireNonNull(json, "json");
    this.openAi = new OpenAiJson(json);
  }

  String answered(final String customId, final ChatResponse response) {
    final ObjectNode line = line(customId, response.getCorrelationId());
    final ObjectNode result = line.putObject("response");
    final ErrorInfo error = response.getError();
    result.put("status_code", error == null ? 200 : error.getHttpStatus());
    result.put("request_id", response.getCorrelationId());
    if (error == null) {
      result.set("body", read(openAi.completion(response)));
    } else {
      final ObjectNode body = result.putObject("body").putObject("error");
      body.put("message", error.getMessage());
      body.put("type", error.getType());
      body.putNull("param");
      body.put("code", error.getType());
    }
    line.putNull("error");
    return write(line);
  }

  String pending(final String customId, final String correlationId) {
    final ObjectNode line = line(customId, correlationId);
    line.putNull("response");
    final ObjectNode error = line.putObject("error");
    error.put("code", PENDING_CODE);
    error.put("message", "No answer yet for this item; the batch is still running.");
    return write(line);
  }

  private ObjectNode line(final String customId, final String correlationId) {
    final ObjectNode line = json.createObjectNode();
    line.put("id", "batch_" + correlationId);
    line.put("custom_id", customId);
    return line;
  }

  private JsonNode read(final String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String write(final ObjectNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
