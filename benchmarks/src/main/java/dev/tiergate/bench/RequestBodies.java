package dev.tiergate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** The Chat Completions bodies the load generator sends: small, realistic, one per sequence. */
public final class RequestBodies {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestBodies() {}

  /** A short coding request for {@code model}; the sequence keeps prompts distinct. */
  public static String chat(final String model, final long sequence) {
    Objects.requireNonNull(model, "model");
    return chat(model, "You are a coding agent.",
        "Rename the variable `total` to `sum` in utils.py (request " + sequence + ").");
  }

  /** One system and one user message. */
  public static String chat(final String model, final String system, final String user) {
    final ObjectNode body = JSON.createObjectNode().put("model", model);
    final ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user").put("content", user);
    return body.toString();
  }
}
