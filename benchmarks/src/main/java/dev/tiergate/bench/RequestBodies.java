package dev.tiergate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** The Chat Completions bodies the load generator sends: small, realistic, one per sequence. */
public final class RequestBodies {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The body of request {@code sequence} for {@code model}. */
  @FunctionalInterface
  public interface Body {
    String of(String model, long sequence);
  }

  private RequestBodies() {}

  /** A short coding request for {@code model}; the sequence keeps prompts distinct. */
  public static String chat(final String model, final long sequence) {
    return coding(model, sequence).toString();
  }

  /**
   * The request of {@link #chat(String, long)} answered as a stream, with the usage chunk at its end
   * (which Tiergate always asks the provider for, so every target gets the same events).
   */
  public static String streamedChat(final String model, final long sequence) {
    final ObjectNode body = coding(model, sequence);
    body.put("stream", true).putObject("stream_options").put("include_usage", true);
    return body.toString();
  }

  /** One system and one user message. */
  public static String chat(final String model, final String system, final String user) {
    return body(model, system, user).toString();
  }

  private static ObjectNode coding(final String model, final long sequence) {
    Objects.requireNonNull(model, "model");
    return body(model, "You are a coding agent.",
        "Rename the variable `total` to `sum` in utils.py (request " + sequence + ").");
  }

  private static ObjectNode body(final String model, final String system, final String user) {
    final ObjectNode body = JSON.createObjectNode().put("model", model);
    final ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user").put("content", user);
    return body;
  }
}
