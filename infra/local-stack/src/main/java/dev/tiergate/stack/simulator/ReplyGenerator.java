package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.settings.Settings;
import dev.tiergate.stack.simulator.SimulatedPrompt.PromptMessage;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolChoice;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolSpec;
import dev.tiergate.stack.simulator.SimulatedReply.FinishReason;
import dev.tiergate.stack.simulator.SimulatedReply.TokenUsage;
import dev.tiergate.stack.simulator.SimulatedReply.ToolCall;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Answers a prompt deterministically: the reply, tool call and token counts are a function of the
 * model and the messages alone, so a test can send the same request twice and expect the same
 * answer, and a different conversation gets a visibly different one.
 */
final class ReplyGenerator {

  private static final int QUOTED_CHARS = 40;
  private static final int MIN_FILLER_WORDS = 6;
  private static final int FILLER_WORD_RANGE = 40;
  private static final String[] FILLER = {
    "the", "plan", "covers", "each", "step", "with", "care", "and", "checks", "results",
    "before", "moving", "on", "so", "that", "nothing", "is", "missed", "along", "the",
    "way", "tests", "confirm", "behaviour", "while", "costs", "stay", "low", "for", "every",
    "agent", "call"
  };

  private final ObjectMapper mapper;
  /** Words of every text reply, or 0 for a hash-chosen length (see {@link SimulatorConfig}). */
  private final int replyWords;

  ReplyGenerator(final ObjectMapper mapper, final int replyWords) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.replyWords = Settings.requireNotNegative(replyWords, "replyWords");
  }

  SimulatedReply reply(final SimulatedPrompt prompt) {
    final long hash = hash(prompt);
    final int promptTokens = TokenEstimator.promptTokens(prompt);
    final int cachedTokens = TokenEstimator.cachedTokens(promptTokens);
    final ToolSpec tool = chosenTool(prompt);
    if (tool != null) {
      final ToolCall call = toolCall(tool, hash);
      final int completion = TokenEstimator.tokens(call.name() + call.arguments()) + 1;
      return new SimulatedReply(
          null,
          call,
          FinishReason.TOOL_CALLS,
          new TokenUsage(promptTokens, completion, cachedTokens, 0),
          hash);
    }
    return textReply(prompt, hash, promptTokens, cachedTokens);
  }

  private SimulatedReply textReply(
      final SimulatedPrompt prompt, final long hash, final int promptTokens, final int cached) {
    String content = content(prompt, hash, replyWords);
    int reasoning = reasoningTokens(prompt, hash);
    FinishReason finish = FinishReason.STOP;
    final int cap = prompt.maxOutputTokens();
    if (cap > 0 && reasoning + TokenEstimator.tokens(content) > cap) {
      reasoning = Math.min(reasoning, cap);
      final int visibleChars = (cap - reasoning) * 4;
      content = content.substring(0, Math.min(content.length(), visibleChars));
      finish = FinishReason.LENGTH;
    }
    final int completion = TokenEstimator.tokens(content) + reasoning;
    return new SimulatedReply(
        content, null, finish, new TokenUsage(promptTokens, completion, cached, reasoning), hash);
  }

  /**
   * The reply text: who answered, what to, and a hash-chosen run of filler words, as many as make
   * the text {@code totalWords} words long (at least one) when that is set, else 6 to 45.
   */
  static String content(final SimulatedPrompt prompt, final long hash, final int totalWords) {
    final StringBuilder text =
        new StringBuilder("Simulated reply from ")
            .append(prompt.model())
            .append(" to: ")
            .append(quote(prompt.latestUserText()))
            .append(". Filler:");
    final SplittableRandom words = new SplittableRandom(hash);
    final int count = totalWords > 0
        ? Math.max(1, totalWords - wordCount(text))
        : MIN_FILLER_WORDS + (int) Math.floorMod(hash, (long) FILLER_WORD_RANGE);
    for (int i = 0; i < count; i++) {
      text.append(' ').append(FILLER[words.nextInt(FILLER.length)]);
    }
    return text.append('.').toString();
  }

  /** Words as the stream formats split them: runs between single spaces. */
  private static int wordCount(final CharSequence text) {
    int spaces = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        spaces++;
      }
    }
    return spaces + 1;
  }

  private static String quote(final String userText) {
    final String flat = userText.strip().replaceAll("\\s+", " ");
    if (flat.codePointCount(0, flat.length()) <= QUOTED_CHARS) {
      return flat;
    }
    return flat.substring(0, flat.offsetByCodePoints(0, QUOTED_CHARS));
  }

  /** The tool to call, or {@code null} for a text answer. */
  static ToolSpec chosenTool(final SimulatedPrompt prompt) {
    if (prompt.tools().isEmpty()) {
      return null;
    }
    final ToolChoice choice = prompt.toolChoice();
    switch (choice.mode()) {
      case NONE:
        return null;
      case REQUIRED:
        return prompt.tools().get(0);
      case FUNCTION:
        return prompt.tools().stream()
            .filter(t -> t.name().equals(choice.functionName()))
            .findFirst()
            .orElse(prompt.tools().get(0));
      default:
        final String last = prompt.lastUserText();
        final boolean asked = last != null && last.toLowerCase(Locale.ROOT).contains("tool");
        return asked ? prompt.tools().get(0) : null;
    }
  }

  private ToolCall toolCall(final ToolSpec tool, final long hash) {
    final String id = "call_" + HexFormat.of().toHexDigits(hash) + "sim";
    return new ToolCall(id, tool.name(), arguments(tool.parameters(), hash));
  }

  /** Deterministic arguments: a plausible value for every required property of the schema. */
  private String arguments(final JsonNode schema, final long hash) {
    final ObjectNode args = mapper.createObjectNode();
    final JsonNode properties = schema.path("properties");
    for (final JsonNode required : schema.path("required")) {
      final String name = required.asText();
      final JsonNode property = properties.path(name);
      args.set(name, sampleValue(name, property, hash));
    }
    return args.toString();
  }

  private JsonNode sampleValue(final String name, final JsonNode property, final long hash) {
    final Iterator<JsonNode> allowed = property.path("enum").elements();
    if (allowed.hasNext()) {
      return allowed.next();
    }
    switch (property.path("type").asText("string")) {
      case "integer":
        return mapper.getNodeFactory().numberNode(Math.floorMod(hash, 100L));
      case "number":
        return mapper.getNodeFactory().numberNode(Math.floorMod(hash, 100L) / 10.0);
      case "boolean":
        return mapper.getNodeFactory().booleanNode(true);
      case "array":
        return mapper.createArrayNode();
      case "object":
        return mapper.createObjectNode();
      default:
        return mapper.getNodeFactory().textNode("sim-" + name);
    }
  }

  /** Reasoning tokens by requested effort; o-series models reason at medium effort by default. */
  static int reasoningTokens(final SimulatedPrompt prompt, final long hash) {
    String effort = prompt.reasoningEffort();
    if (effort == null) {
      final String model = prompt.model().substring(prompt.model().lastIndexOf('/') + 1);
      effort = model.matches("o[134].*") ? "medium" : "none";
    }
    final int base;
    switch (effort.toLowerCase(Locale.ROOT)) {
      case "none":
      case "minimal":
        base = 0;
        break;
      case "low":
        base = 64;
        break;
      case "high":
        base = 1024;
        break;
      default:
        base = 256;
    }
    return base == 0 ? 0 : base + (int) Math.floorMod(hash >>> 16, 64L);
  }

  /** SHA-256 of the model and every message, folded to a long. */
  static long hash(final SimulatedPrompt prompt) {
    final MessageDigest digest = sha256();
    update(digest, prompt.model());
    for (final PromptMessage message : prompt.messages()) {
      update(digest, message.role());
      update(digest, message.text());
      update(digest, Integer.toString(message.imageCount()));
    }
    return ByteBuffer.wrap(digest.digest()).getLong();
  }

  private static void update(final MessageDigest digest, final String value) {
    final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM ships SHA-256", e);
    }
  }
}
