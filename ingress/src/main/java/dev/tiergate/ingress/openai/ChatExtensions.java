package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.Usage;

/**
 * What a dialect adds to OpenAI's chat format: where reasoning goes and what usage carries. Plain
 * OpenAI puts reasoning text in {@code reasoning_content} and adds nothing to usage; OpenRouter's
 * dialect adds {@code reasoning}, {@code reasoning_details} and the cost.
 */
public interface ChatExtensions {

  /** Plain OpenAI Chat Completions. */
  ChatExtensions OPENAI =
      new ChatExtensions() {
        @Override
        public void reasoning(
            final ObjectNode target, final String text, final String signature,
            final String format) {
          if (text != null) {
            target.put("reasoning_content", text);
          }
        }

        @Override
        public void usage(final ObjectNode usageNode, final String model, final Usage usage) {
          // OpenAI's usage object has no cost.
        }
      };

  /**
   * Writes reasoning into a message or a delta.
   *
   * @param text reasoning text, or null (e.g. a chunk carrying only the signature)
   * @param signature the provider's signature of the reasoning block, or null
   * @param format e.g. anthropic-thinking, or null
   */
  void reasoning(ObjectNode target, String text, String signature, String format);

  /** Adds to a rendered usage object of a reply served by {@code model} (may be null). */
  void usage(ObjectNode usageNode, String model, Usage usage);
}
