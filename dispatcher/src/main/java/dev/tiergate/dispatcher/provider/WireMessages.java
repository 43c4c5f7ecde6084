package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the adapters read normalized messages, the same for every wire format: which turns are the
 * system prompt, the role in lower case, the call a tool turn answers, and the merging of
 * consecutive turns of one role that Anthropic and Gemini require.
 */
public final class WireMessages {

  private WireMessages() {}

  /** System and developer turns: the system prompt in APIs that keep it apart. */
  public static boolean isSystem(final Message message) {
    final String role = role(message);
    return "system".equals(role) || "developer".equals(role);
  }

  public static String role(final Message message) {
    return message.getRole().toLowerCase(Locale.ROOT);
  }

  /** The non-empty texts of the system and developer turns, in order. */
  public static List<String> systemTexts(final List<Message> messages) {
    return messages.stream()
        .filter(WireMessages::isSystem)
        .flatMap(message -> message.getParts().stream())
        .filter(part -> part.getType() == PartType.TEXT && nonEmpty(part.getText()))
        .map(ContentPart::getText)
        .toList();
  }

  /** The first tool call id a message names, "" when none: what a bare tool turn answers. */
  public static String firstToolCallId(final Message message) {
    return message.getParts().stream()
        .map(ContentPart::getToolCallId)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse("");
  }

  /**
   * Adds items to the last turn when it has this role, else to a new turn of this role; a turn is
   * {@code {"role": role, itemsField: [...]}}.
   *
   * @return the items array of the turn they went to
   */
  public static ArrayNode appendToTurn(
      final ArrayNode turns, final String role, final String itemsField,
      final Iterable<? extends JsonNode> items) {
    final JsonNode last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
    final ObjectNode turn;
    if (last == null || !role.equals(last.path("role").asText())) {
      turn = turns.addObject().put("role", role);
      turn.putArray(itemsField);
    } else {
      turn = (ObjectNode) last;
    }
    final ArrayNode array = (ArrayNode) turn.get(itemsField);
    items.forEach(array::add);
    return array;
  }

  public static boolean nonEmpty(final String text) {
    return text != null && !text.isEmpty();
  }

  public static String nullToEmpty(final String text) {
    return text == null ? "" : text;
  }
}
