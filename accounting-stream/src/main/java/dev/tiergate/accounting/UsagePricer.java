package dev.tiergate.accounting;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.UsageEvent;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a usage event with its catalogue entry. A model missing from the catalogue (or with prices
 * out of range) is counted at cost 0 and flagged rather than dropped, so requests are never lost from
 * the books; the warning is logged once per model, up to a bound, so a flood of odd model ids cannot
 * grow memory or the log.
 */
final class UsagePricer implements ValueJoiner<UsageEvent, ModelSpec, PricedUsage> {

  static final int MAX_WARNED_MODELS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(UsagePricer.class);

  private final Set<String> warnedModels = ConcurrentHashMap.newKeySet();

  @Override
  public PricedUsage apply(final UsageEvent usage, final ModelSpec spec) {
    final Optional<ModelPrice> price = ModelPrice.of(spec);
    if (price.isEmpty()) {
      warnOnce(usage.getModel(), spec);
      return new PricedUsage(usage, 0, false);
    }
    return new PricedUsage(usage, CostCalculator.costMicros(usage.getUsage(), price.get()), true);
  }

  private void warnOnce(final String model, final ModelSpec spec) {
    if (warnedModels.size() >= MAX_WARNED_MODELS || !warnedModels.add(model)) {
      return;
    }
    if (spec == null) {
      LOG.warn("model {} is not in the catalogue; its usage is counted at cost 0 and flagged", model);
    } else {
      LOG.warn(
          "model {} has prices out of range [0, {}]; its usage is counted at cost 0 and flagged",
          model, ModelPrice.MAX_MICROS_PER_MILLION);
    }
  }

  int warnedModelCount() {
    return warnedModels.size();
  }
}
