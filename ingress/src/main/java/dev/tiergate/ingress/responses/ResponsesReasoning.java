package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.PartType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reasoning items of the Responses API. The text travels as the item's {@code summary}; which
 * model family wrote it, in which provider format and with which signature travels in its opaque
 * {@code encrypted_content}, so a client that sends the item back (e.g. with {@code store: false})
 * gives the dispatcher's reasoning hygiene what it needs. Content from elsewhere has no format and
 * is never sent to a provider as its own.
 */
final class ResponsesReasoning {

  /** Marks our own {@code encrypted_content}; anything else is opaque to us. */
  static final String PREFIX = "tg1.";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResponsesReasoning() {}

  /** A reasoning input item as a REASONING part. */
  static ContentPart part(final JsonNode item, final String param) {
    final StringBuilder text = new StringBuilder();
    final JsonNode summary = item.get("summary");
    if (summary != null && !summary.isNull()) {
      if (!summary.isArray()) {
        throw JsonFields.wrongType(param + ".summary", "an array");
      }
      for (final JsonNode part : summary) {
        text.append(part.path("text").asText(""));
      }
    }
    final ContentPart.Builder part =
        ContentPart.newBuilder().setType(PartType.REASONING).setText(text.toString());
    final JsonNode origin = origin(JsonFields.text(item, "encrypted_content", param));
    if (origin != null) {
      part.setReasoningFormat(textOrNull(origin, "format"))
          .setReasoningFamily(textOrNull(origin, "family"))
          .setReasoningSignature(textOrNull(origin, "signature"));
    }
    return part.build();
  }

  /** Our {@code encrypted_content} for reasoning of this origin; null when nothing is known. */
  static String encryptedContent(final String format, final String family, final String signature) {
    if (format == null && family == null && signature == null) {
      return null;
    }
    final ObjectNode origin = MAPPER.createObjectNode();
    origin.put("format", format).put("family", family).put("signature", signature);
    try {
      final byte[] json = MAPPER.writeValueAsBytes(origin);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode reasoning origin", e);
    }
  }

  private static JsonNode origin(final String encrypted) {
    if (encrypted == null || !encrypted.startsWith(PREFIX)) {
      return null;
    }
    try {
      final byte[] json = Base64.getUrlDecoder().decode(encrypted.substring(PREFIX.length()));
      final JsonNode origin = MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
      return origin != null && origin.isObject() ? origin : null;
    } catch (IllegalArgumentException | JsonProcessingException e) {
      return null;
    }
  }

  private static String textOrNull(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }
}
