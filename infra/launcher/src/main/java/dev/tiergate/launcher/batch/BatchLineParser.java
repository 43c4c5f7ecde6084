package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.Signals;
import dev.tiergate.ingress.openai.OpenAiChatNormalizer;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns one OpenAI Batch API input line ({@code custom_id}, {@code method}, {@code url}, {@code
 * body}) into a batch item. The body goes through the ingress's own Chat Completions normalization,
 * so a batch item is exactly the request the HTTP API would have published; only the ids are
 * deterministic (derived from batch id and custom id) so a replayed item is recognised.
 *
 * <p>Mode, tier and feature come from, in order: top-level {@code mode}/{@code tier}/{@code
 * feature} fields of the line, the body's {@code metadata} entries of those names, the file's
 * defaults.
 */
public final class BatchLineParser {

  public static final String CHAT_COMPLETIONS_URL = "/v1/chat/completions";

  private final ObjectMapper json;
  private final OpenAiChatNormalizer normalizer;
  private final Clock clock;

  public BatchLineParser(final ObjectMapper json, final Clock clock) {
    this.json = Objects.requireNonNull(json, "json");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.normalizer = new OpenAiChatNormalizer(clock);
  }

  /**
   * Parses one line into an item of the given batch.
   *
   * @throws MalformedLineException with a message saying what is wrong with the line
   */
  public ChatRequest parse(final String line, final String batchId, final BatchDefaults defaults) {
    Objects.requireNonNull(line, "line");
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(defaults, "defaults");
    final JsonNode root = readObject(line);
    final String customId = customId(root);
    checkMethodAndUrl(root);
    final ObjectNode body = body(root);
    final String mode = pick(root, body, "mode", defaults.mode());
    final String feature = pick(root, body, "feature", defaults.feature());
    final Tier tier = tier(pick(root, body, "tier", defaults.tier().id()));
    final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (mode != null) {
      headers.put(Signals.MODE_HEADER, mode);
    }
    if (feature != null) {
      headers.put(Signals.FEATURE_HEADER, feature);
    }
    final ChatRequest normalized;
    try {
      normalized = normalizer.normalize(body, new Caller(defaults.tenant(), tier), headers::get);
    } catch (GatewayException e) {
      throw new MalformedLineException("invalid body: " + e.getMessage());
    }
    return ChatRequest.newBuilder(normalized)
        .setCorrelationId(BatchIds.itemCorrelationId(batchId, customId))
        .setSessionId(BatchIds.itemSessionId(batchId, customId))
        .setApiKind(ApiKind.BATCH)
        .setStream(false)
        .setBatchId(batchId)
        .setBatchItemId(customId)
        .setReceivedAt(clock.instant())
        .build();
  }

  private JsonNode readObject(final String line) {
    final JsonNode root;
    try {
      root = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedLineException("not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedLineException("not a JSON object");
    }
    return root;
  }

  private static String customId(final JsonNode root) {
    final JsonNode id = root.get("custom_id");
    if (id == null || !id.isTextual() || id.asText().isBlank()) {
      throw new MalformedLineException("missing or blank custom_id");
    }
    return id.asText();
  }

  private static void checkMethodAndUrl(final JsonNode root) {
    final JsonNode method = root.get("method");
    if (method != null && !"POST".equals(method.asText().toUpperCase(Locale.ROOT))) {
      throw new MalformedLineException("method must be POST, not " + method.asText());
    }
    final JsonNode url = root.get("url");
    if (url != null && !CHAT_COMPLETIONS_URL.equals(url.asText())) {
      throw new MalformedLineException(
          "url must be " + CHAT_COMPLETIONS_URL + ", not " + url.asText());
    }
  }

  /** A copy of the body; a missing model means {@code auto} (the tier picks the model). */
  private static ObjectNode body(final JsonNode root) {
    final JsonNode body = root.get("body");
    if (body == null || !body.isObject()) {
      throw new MalformedLineException("missing body object");
    }
    final ObjectNode copy = ((ObjectNode) body).deepCopy();
    if (!copy.hasNonNull("model")) {
      copy.put("model", "auto");
    }
    return copy;
  }

  private static String pick(
      final JsonNode root, final JsonNode body, final String name, final String fallback) {
    final String line = text(root.get(name));
    if (line != null) {
      return line;
    }
    final JsonNode metadata = body.get("metadata");
    final String fromMetadata = metadata == null ? null : text(metadata.get(name));
    return fromMetadata != null ? fromMetadata : fallback;
  }

  private static String text(final JsonNode node) {
    return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText().trim() : null;
  }

  private static Tier tier(final String id) {
    return Tier.parse(id)
        .orElseThrow(
            () -> new MalformedLineException(
                "unknown tier '" + id + "'; use frontier, balanced, free or small"));
  }

  /** A line that cannot become an item; the message says why. */
  public static final class MalformedLineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedLineException(final String message) {
      super(message, null, false, false);
    }
  }
}
