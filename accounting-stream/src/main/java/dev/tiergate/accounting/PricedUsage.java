package dev.tiergate.accounting;

import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;

/**
 * One usage event with its cost at the catalogue price in force when it was processed.
 *
 * @param priced false when the model was missing from the catalogue and the cost is 0
 */
public record PricedUsage(UsageEvent usage, long costMicros, boolean priced) {

  public PricedUsage {
    Objects.requireNonNull(usage, "usage");
    if (costMicros < 0) {
      throw new IllegalArgumentException("costMicros must not be negative: " + costMicros);
    }
  }
}
