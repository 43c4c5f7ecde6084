package dev.tiergate.accounting;

import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;
import java.util.Optional;

/**
 * One usage event with its cost at the catalogue price in force when it was processed, and what the
 * same tokens would have cost on the frontier tier's first model (the counterfactual that shows what
 * routing saved). Until the frontier model is known the counterfactual equals the cost, so no saving
 * is ever claimed without a price to back it.
 *
 * @param priced false when the model was missing from the catalogue and the cost is 0
 * @param frontierModel the frontier tier's first model, once looked up
 * @param duplicate true when an earlier usage of the same correlation id was already billed
 *     ({@link UsageDeduplicator}): this one is platform cost, not the tenant's
 */
public record PricedUsage(
    UsageEvent usage,
    long costMicros,
    boolean priced,
    long counterfactualMicros,
    Optional<String> frontierModel,
    boolean duplicate) {

  public PricedUsage {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(frontierModel, "frontierModel");
    if (costMicros < 0 || counterfactualMicros < 0) {
      throw new IllegalArgumentException(
          "costs must not be negative: " + costMicros + ", " + counterfactualMicros);
    }
  }

  public PricedUsage(final UsageEvent usage, final long costMicros, final boolean priced) {
    this(usage, costMicros, priced, costMicros, Optional.empty(), false);
  }

  public PricedUsage withFrontierModel(final String model) {
    return new PricedUsage(
        usage, costMicros, priced, counterfactualMicros, Optional.ofNullable(model), duplicate);
  }

  public PricedUsage withCounterfactual(final long micros) {
    return new PricedUsage(usage, costMicros, priced, micros, frontierModel, duplicate);
  }

  /** This usage marked as a further call for a request already billed. */
  public PricedUsage asDuplicate() {
    return new PricedUsage(usage, costMicros, priced, counterfactualMicros, frontierModel, true);
  }
}
