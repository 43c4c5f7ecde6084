package dev.tiergate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The Chat Completions bodies the load generator sends, one per sequence: a small one, and one the
 * size and shape of a coding agent's step (a long system prompt, 22 tools, a few turns of tool calls
 * and file contents; about 60 KB).
 */
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

  /** What the latency generator sends: a short request, or an agent's step. */
  public enum Kind {
    SMALL(RequestBodies::chat),
    AGENT(RequestBodies::agent);

    private final Body body;

    Kind(final Body body) {
      this.body = body;
    }

    public Body body() {
      return body;
    }
  }

  /** Tools an agent declares on every step, each with a small JSON schema. */
  static final int AGENT_TOOLS = 22;
  private static final String[] TOOL_VERBS = {"read", "write", "list", "search", "run", "apply"};
  private static final String GUIDANCE = "Work in small verified steps. Read the files a change"
      + " touches before editing them, keep the project's style, and run the tests that cover the"
      + " change. Explain what you did in one short paragraph when the task is complete. ";

  /**
   * An agent's step of about 60 KB: a system prompt of ~32 KB of guidance, 22 tools, and a history
   * of three tool calls whose results are file contents; the sequence keeps each body distinct.
   */
  public static String agent(final String model, final long sequence) {
    Objects.requireNonNull(model, "model");
    final ObjectNode body = JSON.createObjectNode().put("model", model);
    final ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", GUIDANCE.repeat(130));
    messages.addObject().put("role", "user")
        .put("content", "Fix the failing test in the parser module (request " + sequence + ").");
    for (int turn = 0; turn < 3; turn++) {
      final String callId = "call_" + sequence + "_" + turn;
      final ObjectNode call = messages.addObject().put("role", "assistant");
      call.putNull("content");
      call.putArray("tool_calls").addObject().put("id", callId).put("type", "function")
          .putObject("function").put("name", "read_file")
          .put("arguments", "{\"path\":\"src/parser/part" + turn + ".py\"}");
      messages.addObject().put("role", "tool").put("tool_call_id", callId)
          .put("content", sourceFile(turn));
    }
    final ArrayNode tools = body.putArray("tools");
    for (int i = 0; i < AGENT_TOOLS; i++) {
      final ObjectNode function = tools.addObject().put("type", "function").putObject("function");
      function.put("name", TOOL_VERBS[i % TOOL_VERBS.length] + "_" + i)
          .put("description", "Tool number " + i + " of the agent; " + GUIDANCE.substring(0, 120));
      final ObjectNode parameters = function.putObject("parameters").put("type", "object");
      parameters.putObject("properties").putObject("path").put("type", "string")
          .put("description", "a path relative to the workspace root");
      parameters.putArray("required").add("path");
    }
    return body.toString();
  }

  /** About 7 KB of Python-looking source, different for each turn. */
  private static String sourceFile(final int turn) {
    final StringBuilder source = new StringBuilder();
    for (int line = 0; line < 90; line++) {
      source.append("def handler_").append(turn).append('_').append(line)
          .append("(tokens):\n    return [t for t in tokens if t.kind != 'space']\n");
    }
    return source.toString();
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
