package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.stack.simulator.SimulatedPrompt.PromptMessage;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the simulated JSON formats share: the mapper, provider-style answer ids, the checks a request
 * body must pass before anything else, how a conversation is read, the simulated tool arguments and
 * reasoning signature, and how a reply is cut into stream deltas.
 */
abstract class JsonWireFormat implements WireFormat {

  private static final int WORDS_PER_CHUNK = 3;
  private static final int ARGUMENT_CHARS_PER_CHUNK = 16;

  /** What OpenAI and Anthropic answer to a body that is not a JSON object. */
  private static final String NOT_AN_OBJECT = "The request body must be a JSON object.";

  protected final ObjectMapper mapper;
  private final String idPrefix;
  private final Predicate<String> paths;

  /**
   * @param idPrefix how the provider's answer ids start, e.g. {@code chatcmpl-}
   * @param paths the request paths (query removed) this format serves
   */
  JsonWireFormat(final ObjectMapper mapper, final String idPrefix, final Predicate<String> paths) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.idPrefix = Objects.requireNonNull(idPrefix, "idPrefix");
    this.paths = Objects.requireNonNull(paths, "paths");
  }

  @Override
  public final boolean serves(final String path) {
    return paths.test(path);
  }

  @Override
  public final String responseId(final long hash, final long sequence) {
    return idPrefix + HexFormat.of().toHexDigits(hash).substring(0, 12) + sequence;
  }

  /** The provider's 400 for a body that is not a JSON object. */
  static void requireObject(final JsonNode body) {
    requireObject(body, NOT_AN_OBJECT);
  }

  /** The provider's 400, with its own message, for a body that is not a JSON object. */
  static void requireObject(final JsonNode body, final String message) {
    if (!body.isObject()) {
      throw new InvalidRequestException(message, null);
    }
  }

  /** The body's {@code model}; the provider's 400, with its own message, when there is none. */
  static String requireModel(final JsonNode body, final String message) {
    final JsonNode model = body.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw new InvalidRequestException(message, "model");
    }
    return model.asText();
  }

  /**
   * The body's {@code field}, the list of messages; the provider's 400, with its own message, unless
   * it is a non-empty array.
   */
  static JsonNode requireMessages(final JsonNode body, final String field, final String message) {
    final JsonNode messages = body.path(field);
    if (!messages.isArray() || messages.isEmpty()) {
      throw new InvalidRequestException(message, field);
    }
    return messages;
  }

  /**
   * A conversation whose system text stands apart from its messages (Anthropic's {@code system},
   * Gemini's {@code systemInstruction}): that text first, when there is one, then every message as
   * {@code read} reads it.
   */
  static List<PromptMessage> conversation(
      final JsonNode system,
      final Function<JsonNode, String> systemText,
      final JsonNode messages,
      final Function<JsonNode, PromptMessage> read) {
    final List<PromptMessage> result = new ArrayList<>();
    if (!system.isMissingNode()) {
      result.add(new PromptMessage("system", systemText.apply(system), 0));
    }
    messages.forEach(message -> result.add(read.apply(message)));
    return result;
  }

  /** A simulated tool call's arguments as JSON. */
  final JsonNode arguments(final SimulatedReply.ToolCall call) {
    try {
      return mapper.readTree(call.arguments());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("simulated tool arguments are not JSON", e);
    }
  }

  /** The signature the simulator puts on a reply's reasoning. */
  static String signature(final SimulatedReply reply) {
    return "sim-sig-" + HexFormat.of().toHexDigits(reply.hash());
  }

  /** Splits text into runs of a few words, each keeping its leading space, like token deltas. */
  static List<String> words(final String text) {
    final List<String> pieces = new ArrayList<>();
    int start = 0;
    int wordsSeen = 0;
    for (int i = 1; i < text.length(); i++) {
      if (text.charAt(i) == ' ' && ++wordsSeen == WORDS_PER_CHUNK) {
        pieces.add(text.substring(start, i));
        start = i;
        wordsSeen = 0;
      }
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  /** Splits tool arguments into the short pieces a stream sends them in. */
  static List<String> pieces(final String text) {
    final List<String> pieces = new ArrayList<>();
    for (int i = 0; i < text.length(); i += ARGUMENT_CHARS_PER_CHUNK) {
      pieces.add(text.substring(i, Math.min(text.length(), i + ARGUMENT_CHARS_PER_CHUNK)));
    }
    return pieces;
  }
}
