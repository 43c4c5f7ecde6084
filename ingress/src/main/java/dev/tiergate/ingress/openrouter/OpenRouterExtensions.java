package dev.tiergate.ingress.openrouter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.openai.ChatExtensions;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Usage;
import java.util.Objects;

/**
 * OpenRouter's additions to the chat format: reasoning as {@code reasoning} plus structured {@code
 * reasoning_details} (text, signature, format) so an agent can hand signed thinking back, and the
 * call's {@code cost} in dollars on usage, priced from the live catalogue.
 */
final class OpenRouterExtensions implements ChatExtensions {

  static final String REASONING_TEXT = "reasoning.text";

  private final LiveTable<ModelSpec> models;
  private final boolean excludeReasoning;

  /** @param excludeReasoning the caller sent {@code reasoning.exclude: true} */
  OpenRouterExtensions(final LiveTable<ModelSpec> models, final boolean excludeReasoning) {
    this.models = Objects.requireNonNull(models, "models");
    this.excludeReasoning = excludeReasoning;
  }

  @Override
  public void reasoning(
      final ObjectNode target, final String text, final String signature, final String format) {
    if (excludeReasoning) {
      return;
    }
    if (text != null) {
      target.put("reasoning", text);
    }
    final ObjectNode detail = target.putArray("reasoning_details").addObject();
    detail.put("type", REASONING_TEXT);
    if (text != null) {
      detail.put("text", text);
    }
    if (signature != null) {
      detail.put("signature", signature);
    }
    if (format != null) {
      detail.put("format", format);
    }
    detail.put("index", 0);
  }

  @Override
  public void usage(final ObjectNode usageNode, final String model, final Usage usage) {
    if (model == null) {
      return;
    }
    models
        .get(model)
        .ifPresent(spec -> usageNode.put("cost", UsageCost.dollars(UsageCost.costMicros(usage, spec))));
  }
}
