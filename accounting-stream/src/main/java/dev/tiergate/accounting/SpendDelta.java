package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Usage;
import java.time.Instant;
import java.util.Objects;

/**
 * What a run of requests adds to one tenant × dimension value, while it waits in the pre-sum store
 * ({@link SpendPresummer}). A plain value with its own compact serde ({@link SpendDeltaSerde}) rather
 * than the Avro {@link SpendAggregate}: it is read and written several times per usage event, and
 * only the sum of an interval becomes an Avro record.
 *
 * @param timestamp the latest event time summed in, which the windows downstream go by
 * @param duplicateRequests further calls for requests already billed: platform cost, counted apart
 * @param duplicateCostMicros what those calls cost; not part of {@code costMicros}
 */
record SpendDelta(
    String tenant,
    SpendDimension dimension,
    String value,
    long timestamp,
    long requests,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long reasoningTokens,
    long costMicros,
    long counterfactualMicros,
    long estimatedRequests,
    long unpricedRequests,
    long duplicateRequests,
    long duplicateCostMicros) {

  SpendDelta {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(dimension, "dimension");
    Objects.requireNonNull(value, "value");
  }

  /**
   * One priced request along one dimension. A duplicate adds only to the duplicate figures: the
   * tenant's requests, tokens and cost already hold the first call of that request.
   */
  static SpendDelta of(
      final PricedUsage priced,
      final SpendDimension dimension,
      final String value,
      final long timestamp) {
    final String tenant = priced.usage().getTenant();
    if (priced.duplicate()) {
      return new SpendDelta(tenant, dimension, value, timestamp, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          1, priced.costMicros());
    }
    final Usage usage = priced.usage().getUsage();
    return new SpendDelta(tenant, dimension, value, timestamp, 1,
        usage.getInputTokens(), usage.getOutputTokens(), usage.getCachedInputTokens(),
        usage.getReasoningTokens(), priced.costMicros(), priced.counterfactualMicros(),
        usage.getEstimated() ? 1 : 0, priced.priced() ? 0 : 1, 0, 0);
  }

  /** The sum of two deltas of the same key; overflow throws, like {@link SpendAggregates#sum}. */
  SpendDelta plus(final SpendDelta other) {
    return new SpendDelta(tenant, dimension, value, Math.max(timestamp, other.timestamp),
        Math.addExact(requests, other.requests),
        Math.addExact(inputTokens, other.inputTokens),
        Math.addExact(outputTokens, other.outputTokens),
        Math.addExact(cachedInputTokens, other.cachedInputTokens),
        Math.addExact(reasoningTokens, other.reasoningTokens),
        Math.addExact(costMicros, other.costMicros),
        Math.addExact(counterfactualMicros, other.counterfactualMicros),
        Math.addExact(estimatedRequests, other.estimatedRequests),
        Math.addExact(unpricedRequests, other.unpricedRequests),
        Math.addExact(duplicateRequests, other.duplicateRequests),
        Math.addExact(duplicateCostMicros, other.duplicateCostMicros));
  }

  /** The key of the stores this delta is summed into. */
  String storeKey() {
    return SpendKey.storeKey(tenant, dimension, value);
  }

  /** This delta as the Avro aggregate the repartition topic and stores carry (window total). */
  SpendAggregate toAggregate() {
    return SpendAggregate.newBuilder()
        .setTenant(tenant)
        .setDimension(dimension.label())
        .setValue(value)
        .setWindow(SpendWindow.TOTAL.label())
        .setWindowStart(Instant.EPOCH)
        .setRequests(requests)
        .setInputTokens(inputTokens)
        .setOutputTokens(outputTokens)
        .setCachedInputTokens(cachedInputTokens)
        .setReasoningTokens(reasoningTokens)
        .setCostMicros(costMicros)
        .setCounterfactualMicros(counterfactualMicros)
        .setEstimatedRequests(estimatedRequests)
        .setUnpricedRequests(unpricedRequests)
        .setDuplicateRequests(duplicateRequests)
        .setDuplicateCostMicros(duplicateCostMicros)
        .build();
  }
}
