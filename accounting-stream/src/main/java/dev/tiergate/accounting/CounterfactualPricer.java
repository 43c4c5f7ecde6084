package dev.tiergate.accounting;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import java.util.Optional;

/**
 * Prices each request a second time on the frontier tier's first model: the routing table's {@code
 * frontier/*} rule (for embeddings, {@code frontier/embeddings}) names it and the catalogue prices it, both read when the usage is processed. A
 * request that could not be priced itself, or with no frontier model or price known, keeps a
 * counterfactual equal to its own cost, so the savings shown are never invented.
 */
final class CounterfactualPricer {

  /** The routing table key of the frontier tier's default rule. */
  static final String FRONTIER_DEFAULT_RULE = "frontier/*";

  /** The mode of embeddings requests, which a chat model could not have served. */
  static final String EMBEDDINGS_MODE = "embeddings";

  /** The frontier tier's embeddings rule: the counterfactual of an embeddings request. */
  static final String FRONTIER_EMBEDDINGS_RULE = "frontier/" + EMBEDDINGS_MODE;

  /** Looked up when the frontier rule is missing; matches no catalogue entry. */
  static final String NO_MODEL = "";

  private CounterfactualPricer() {}

  /**
   * The rule whose first model prices the counterfactual: {@value #FRONTIER_EMBEDDINGS_RULE} for
   * an embeddings request (a chat model could not have served it), else {@value
   * #FRONTIER_DEFAULT_RULE}.
   */
  static String frontierRuleKey(final PricedUsage priced) {
    return EMBEDDINGS_MODE.equals(priced.usage().getMode())
        ? FRONTIER_EMBEDDINGS_RULE
        : FRONTIER_DEFAULT_RULE;
  }

  static PricedUsage withFrontierModel(final PricedUsage priced, final Route frontier) {
    if (frontier == null || frontier.getModels().isEmpty()) {
      return priced;
    }
    return priced.withFrontierModel(frontier.getModels().get(0));
  }

  /** The model to look the frontier price up by. */
  static String frontierModelKey(final PricedUsage priced) {
    return priced.frontierModel().orElse(NO_MODEL);
  }

  static PricedUsage withCounterfactual(final PricedUsage priced, final ModelSpec frontierSpec) {
    if (!priced.priced()) {
      return priced.withCounterfactual(0);
    }
    final Optional<ModelPrice> price = ModelPrice.of(frontierSpec);
    return price
        .map(p -> priced.withCounterfactual(CostCalculator.costMicros(priced.usage().getUsage(), p)))
        .orElse(priced.withCounterfactual(priced.costMicros()));
  }
}
