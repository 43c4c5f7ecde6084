package dev.tiergate.dispatcher.provider.gemini;

import static dev.tiergate.dispatcher.provider.WireMessages.firstToolCallId;
import static dev.tiergate.dispatcher.provider.WireMessages.isSystem;
import static dev.tiergate.dispatcher.provider.WireMessages.nonEmpty;
import static dev.tiergate.dispatcher.provider.WireMessages.nullToEmpty;
import static dev.tiergate.dispatcher.provider.WireMessages.role;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.dispatcher.provider.AdapterJson;
import dev.tiergate.dispatcher.provider.DataUrl;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.WireMessages;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Normalized messages to Gemini's {@code systemInstruction} and {@code contents}: assistant turns
 * are {@code model} turns, tool results become {@code functionResponse} parts (named after the call
 * they answer, since Gemini matches by name), and consecutive turns of one role merge. A reasoning
 * block in Gemini's own format is not resent as text: its thought signature goes back on the first
 * function call (else the first part) of its turn, where Gemini expects it.
 */
final class GeminiContents {

  private final AdapterJson json;

  GeminiContents(final AdapterJson json) {
    this.json = Objects.requireNonNull(json, "json");
  }

  Optional<ObjectNode> systemInstruction(final List<Message> messages) {
    final ObjectNode instruction = json.mapper().createObjectNode();
    final ArrayNode parts = instruction.putArray("parts");
    WireMessages.systemTexts(messages).forEach(text -> parts.addObject().put("text", text));
    return parts.isEmpty() ? Optional.empty() : Optional.of(instruction);
  }

  ArrayNode contents(final List<Message> messages) {
    final Map<String, String> toolNames = new HashMap<>();
    final ArrayNode contents = json.mapper().createArrayNode();
    for (final Message message : messages) {
      if (isSystem(message)) {
        continue;
      }
      final String role = "assistant".equals(role(message)) ? "model" : "user";
      final ArrayNode parts = parts(message, toolNames);
      if (parts.isEmpty()) {
        continue;
      }
      WireMessages.appendToTurn(contents, role, "parts", parts);
    }
    return contents;
  }

  private ArrayNode parts(final Message message, final Map<String, String> toolNames) {
    final ArrayNode parts = json.mapper().createArrayNode();
    final boolean toolTurn = "tool".equals(role(message));
    String signature = null;
    for (final ContentPart part : message.getParts()) {
      if (part.getType() == PartType.REASONING) {
        signature = ownSignature(part).orElse(signature);
      } else if (toolTurn && part.getType() == PartType.TEXT) {
        parts.add(functionResponse(firstToolCallId(message), null, part.getText(), false, toolNames));
      } else {
        part(part, toolNames).ifPresent(parts::add);
      }
    }
    if (signature != null && !parts.isEmpty()) {
      signaturePart(parts).put("thoughtSignature", signature);
    }
    return parts;
  }

  private Optional<ObjectNode> part(final ContentPart part, final Map<String, String> toolNames) {
    final ObjectNode node = json.mapper().createObjectNode();
    switch (part.getType()) {
      case TEXT:
        return nonEmpty(part.getText()) ? Optional.of(node.put("text", part.getText())) : Optional.empty();
      case IMAGE:
        return image(part);
      case TOOL_CALL:
        toolNames.put(nullToEmpty(part.getToolCallId()), nullToEmpty(part.getToolName()));
        final ObjectNode call = node.putObject("functionCall").put("name", nullToEmpty(part.getToolName()));
        call.set("args", json.requestJson(part.getToolArgumentsJson(), "tool call arguments"));
        return Optional.of(node);
      case TOOL_RESULT:
        return Optional.of(
            functionResponse(
                part.getToolCallId(), part.getToolName(), part.getText(), part.getToolResultIsError(), toolNames));
      default:
        return Optional.empty();
    }
  }

  private ObjectNode functionResponse(
      final String toolCallId,
      final String toolName,
      final String text,
      final boolean isError,
      final Map<String, String> toolNames) {
    final String name =
        toolName != null ? toolName : toolNames.getOrDefault(nullToEmpty(toolCallId), nullToEmpty(toolCallId));
    final ObjectNode node = json.mapper().createObjectNode();
    final ObjectNode response = node.putObject("functionResponse").put("name", name);
    response.set("response", responseObject(text, isError));
    return node;
  }

  /** Gemini wants an object: a JSON object result is passed as is, anything else is wrapped. */
  private JsonNode responseObject(final String text, final boolean isError) {
    if (!isError && text != null && text.trim().startsWith("{")) {
      try {
        final JsonNode parsed = json.mapper().readTree(text);
        if (parsed.isObject()) {
          return parsed;
        }
      } catch (java.io.IOException e) {
        // Not JSON after all: wrapped as text below.
        return json.mapper().createObjectNode().put("content", text);
      }
    }
    return json.mapper().createObjectNode().put(isError ? "error" : "content", nullToEmpty(text));
  }

  private Optional<ObjectNode> image(final ContentPart part) {
    if (part.getImageUrl() == null) {
      return Optional.empty();
    }
    final ObjectNode node = json.mapper().createObjectNode();
    final Optional<DataUrl> inline = DataUrl.parse(part.getImageUrl());
    if (inline.isPresent()) {
      node.putObject("inlineData")
          .put("mimeType", inline.get().mediaType())
          .put("data", inline.get().base64());
    } else {
      node.putObject("fileData")
          .put("mimeType", part.getMediaType() != null ? part.getMediaType() : guessImageType(part.getImageUrl()))
          .put("fileUri", part.getImageUrl());
    }
    return Optional.of(node);
  }

  /** Gemini needs a mime type for a file reference; the URL's extension is the best hint. */
  private static String guessImageType(final String url) {
    final String lower = url.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".png")) {
      return "image/png";
    }
    if (lower.endsWith(".webp")) {
      return "image/webp";
    }
    if (lower.endsWith(".gif")) {
      return "image/gif";
    }
    return "image/jpeg";
  }

  private static ObjectNode signaturePart(final ArrayNode parts) {
    for (final JsonNode part : parts) {
      if (part.has("functionCall")) {
        return (ObjectNode) part;
      }
    }
    return (ObjectNode) parts.get(0);
  }

  private static Optional<String> ownSignature(final ContentPart part) {
    return ProviderFormat.GEMINI.reasoningFormat().equals(part.getReasoningFormat())
            && nonEmpty(part.getReasoningSignature())
        ? Optional.of(part.getReasoningSignature())
        : Optional.empty();
  }
}
