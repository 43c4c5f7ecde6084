package dev.tiergate.router;

import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.PartType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Drops from a chain the models that cannot serve a request: a context window smaller than the
 * request's estimated tokens, a missing capability the request needs ({@code tools} when it
 * defines tools or carries tool calls, {@code images} when it carries an image), or the wrong kind
 * (an embeddings model for a chat request or the other way round). Each skip is explained. A model absent from the catalogue is kept: the dispatcher is the one to fail on it.
 * The exact token count is only computed when the cheap upper bound exceeds a candidate's window.
 */
final class CapabilityFilter {

  /** The capability of embeddings models, which serve embeddings requests only. */
  static final String EMBEDDINGS = "embeddings";

  /** The models kept, in order, and one note per skipped model. */
  record Filtered(List<String> models, List<String> skips) {}

  private final TokenEstimator tokens;

  CapabilityFilter(final TokenEstimator tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  Filtered filter(
      final ChatRequest request,
      final List<String> chain,
      final Function<String, ModelSpec> catalogue) {
    final boolean embeddings = isEmbeddings(request);
    final Set<String> needed = needs(request);
    final long bound = TokenEstimator.upperBound(request);
    long estimate = -1;
    final List<String> kept = new ArrayList<>();
    final List<String> skips = new ArrayList<>();
    for (final String id : chain) {
      final ModelSpec model = catalogue.apply(id);
      if (model == null) {
        kept.add(id);
        continue;
      }
      final String mismatch = kindMismatch(request, model);
      if (mismatch != null) {
        skips.add("skipped " + id + ": " + mismatch);
        continue;
      }
      if (embeddings) {
        // An embeddings model's window bounds each input, not their sum: the provider checks it.
        kept.add(id);
        continue;
      }
      final String missing = missing(model, needed);
      if (missing != null) {
        skips.add("skipped " + id + ": no " + missing + " support");
        continue;
      }
      if (bound > model.getContextWindow()) {
        estimate = estimate < 0 ? tokens.estimate(request) : estimate;
        if (estimate > model.getContextWindow()) {
          skips.add(String.format(Locale.ROOT, "skipped %s: context window %d < %d estimated tokens",
              id, model.getContextWindow(), estimate));
          continue;
        }
      }
      kept.add(id);
    }
    return new Filtered(List.copyOf(kept), List.copyOf(skips));
  }

  static boolean isEmbeddings(final ChatRequest request) {
    return request.getApiKind() == ApiKind.EMBEDDINGS;
  }

  /**
   * Why a model cannot serve a request of this kind, or null when it can: an embeddings request
   * only goes to a model with the {@value #EMBEDDINGS} capability, and a chat request never does.
   */
  static String kindMismatch(final ChatRequest request, final ModelSpec model) {
    final boolean embeddingsModel = model.getCapabilities().contains(EMBEDDINGS);
    if (isEmbeddings(request) == embeddingsModel) {
      return null;
    }
    return embeddingsModel
        ? "an embeddings model serves only POST /v1/embeddings"
        : "not an embeddings model (no embeddings capability)";
  }

  static Set<String> needs(final ChatRequest request) {
    final Set<String> needed = new LinkedHashSet<>();
    if (!request.getTools().isEmpty()) {
      needed.add("tools");
    }
    for (final Message message : request.getMessages()) {
      for (final ContentPart part : message.getParts()) {
        if (part.getType() == PartType.IMAGE) {
          needed.add("images");
        } else if (part.getType() == PartType.TOOL_CALL || part.getType() == PartType.TOOL_RESULT) {
          needed.add("tools");
        }
      }
    }
    return needed;
  }

  private static String missing(final ModelSpec model, final Set<String> needed) {
    for (final String capability : needed) {
      if (!model.getCapabilities().contains(capability)) {
        return capability;
      }
    }
    return null;
  }
}
