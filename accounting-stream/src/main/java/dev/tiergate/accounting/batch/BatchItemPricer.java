package dev.tiergate.accounting.batch;

import dev.tiergate.accounting.CostCalculator;
import dev.tiergate.accounting.ModelPrice;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The arithmetic of batch progress: one answer becomes a delta of counts (done or failed), the
 * item's billed usage a delta of cost (priced exactly like accounting prices usage), deltas sum per
 * batch, and the manifest adds the total. An answer with an error is failed even when its call cost
 * tokens (an interrupted stream); that usage still counts, so the batch's cost is what spend billed.
 */
final class BatchItemPricer {

  private static final Logger LOG = LoggerFactory.getLogger(BatchItemPricer.class);

  private BatchItemPricer() {}

  /** The count one answer adds to its batch; its cost comes with its usage. */
  static BatchProgress counts(final ChatResponse response) {
    final boolean failed = response.getError() != null;
    return BatchProgress.newBuilder()
        .setBatchId(response.getBatchId())
        .setTenant(response.getTenant())
        .setTotal(0)
        .setDone(failed ? 0 : 1)
        .setFailed(failed ? 1 : 0)
        .setCostMicros(0)
        .setUpdatedAt(response.getCreatedAt())
        .build();
  }

  /** The cost one item's billed usage adds to its batch. */
  static BatchProgress cost(final UsageEvent usage, final ModelSpec model) {
    return BatchProgress.newBuilder()
        .setBatchId(usage.getBatchId())
        .setTenant(usage.getTenant())
        .setTotal(0)
        .setDone(0)
        .setFailed(0)
        .setCostMicros(costMicros(usage, model))
        .setUpdatedAt(usage.getOccurredAt())
        .build();
  }

  /** Two partial sums of one batch. */
  static BatchProgress sum(final BatchProgress left, final BatchProgress right) {
    return BatchProgress.newBuilder(left)
        .setTenant(left.getTenant() != null ? left.getTenant() : right.getTenant())
        .setDone(left.getDone() + right.getDone())
        .setFailed(left.getFailed() + right.getFailed())
        .setCostMicros(left.getCostMicros() + right.getCostMicros())
        .setUpdatedAt(later(left.getUpdatedAt(), right.getUpdatedAt()))
        .build();
  }

  /** The counts so far with the manifest's total and tenant; either side may be missing yet. */
  static BatchProgress withManifest(final BatchProgress counts, final BatchManifest manifest) {
    if (manifest == null) {
      return counts;
    }
    final BatchProgress base =
        counts != null
            ? counts
            : BatchProgress.newBuilder()
                .setBatchId(manifest.getBatchId())
                .setUpdatedAt(manifest.getSubmittedAt())
                .build();
    return BatchProgress.newBuilder(base)
        .setTenant(manifest.getTenant().isBlank() ? base.getTenant() : manifest.getTenant())
        .setTotal(manifest.getTotal())
        .setUpdatedAt(later(base.getUpdatedAt(), manifest.getSubmittedAt()))
        .build();
  }

  private static long costMicros(final UsageEvent event, final ModelSpec model) {
    final Usage usage = event.getUsage();
    final Optional<ModelPrice> price = ModelPrice.of(model);
    if (price.isEmpty()) {
      LOG.debug("batch item {} used model {} with no valid price; counted at cost 0",
          event.getCorrelationId(), event.getModel());
      return 0;
    }
    final Optional<String> problem = CostCalculator.problem(usage);
    if (problem.isPresent()) {
      LOG.warn("batch item {} has unpriceable usage ({}); counted at cost 0",
          event.getCorrelationId(), problem.get());
      return 0;
    }
    return CostCalculator.costMicros(usage, price.get());
  }

  private static Instant later(final Instant left, final Instant right) {
    return left.isAfter(right) ? left : right;
  }
}
