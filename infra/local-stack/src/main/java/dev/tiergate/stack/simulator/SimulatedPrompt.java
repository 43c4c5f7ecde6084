package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A chat request reduced to what the simulator answers from, independent of the wire format it came
 * in, so the OpenAI, Anthropic and Gemini formats share one reply generator and one token count.
 *
 * @param maxOutputTokens the caller's output cap, 0 when none
 * @param reasoningEffort the requested reasoning effort, {@code null} when none
 * @param includeUsage whether a stream should end with a usage chunk
 */
record SimulatedPrompt(
    String model,
    List<PromptMessage> messages,
    List<ToolSpec> tools,
    ToolChoice toolChoice,
    int maxOutputTokens,
    String reasoningEffort,
    boolean stream,
    boolean includeUsage) {

  SimulatedPrompt {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(toolChoice, "toolChoice");
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
  }

  /** The text of the last message, when it is a user message; otherwise {@code null}. */
  String lastUserText() {
    if (messages.isEmpty()) {
      return null;
    }
    final PromptMessage last = messages.get(messages.size() - 1);
    return "user".equals(last.role()) ? last.text() : null;
  }

  /** The text of the most recent user message anywhere in the conversation, or "". */
  String latestUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).text();
      }
    }
    return "";
  }

  /**
   * One message: its role and all its text (content parts, tool-call names and arguments) joined.
   *
   * @param imageCount image parts, which count as a fixed number of tokens each
   */
  record PromptMessage(String role, String text, int imageCount) {
    PromptMessage {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * A tool the model may call.
   *
   * @param parameters the JSON schema of its arguments, possibly a missing node
   * @param schemaChars length of the tool's serialized definition, for the token count
   */
  record ToolSpec(String name, JsonNode parameters, int schemaChars) {
    ToolSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(parameters, "parameters");
    }
  }

  /**
   * What the caller allowed about tool use.
   *
   * @param functionName the forced function when the mode is {@link Mode#FUNCTION}
   */
  record ToolChoice(Mode mode, String functionName) {
    static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);

    ToolChoice {
      Objects.requireNonNull(mode, "mode");
    }

    enum Mode {
      AUTO,
      NONE,
      REQUIRED,
      FUNCTION
    }
  }
}
