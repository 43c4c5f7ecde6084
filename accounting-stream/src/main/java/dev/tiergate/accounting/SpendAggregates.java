package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Instant;

/**
 * Adds aggregates up and stamps them with their window. What crosses the repartition topic is a
 * {@link SpendAggregate} of one interval's pre-summed requests ({@link SpendDelta#toAggregate}), so
 * the repartition topic and the stores share one Avro type and one serde.
 */
final class SpendAggregates {

  private SpendAggregates() {}

  /** The aggregate stamped with the window it was summed in. */
  static SpendAggregate inWindow(
      final SpendAggregate aggregate, final SpendWindow window, final Instant windowStart) {
    return SpendAggregate.newBuilder(aggregate)
        .setWindow(window.label())
        .setWindowStart(windowStart)
        .build();
  }

  /** The dimension an aggregate or delta belongs to. */
  static SpendDimension dimension(final SpendAggregate aggregate) {
    return SpendDimension.fromLabel(aggregate.getDimension()).orElseThrow(
        () -> new IllegalArgumentException("unknown dimension " + aggregate.getDimension()));
  }

  /** The topic key of an aggregate: its store key plus window and window start. */
  static String topicKey(final SpendAggregate aggregate) {
    return new SpendKey(
            aggregate.getTenant(),
            dimension(aggregate),
            SpendWindow.fromLabel(aggregate.getWindow()).orElseThrow(),
            aggregate.getWindowStart(),
            aggregate.getValue())
        .encode();
  }

  /**
   * The sum of an aggregate and a delta of the same key. Overflow throws rather than wraps: a wrong
   * bill is worse than a stopped one (and needs 9.2 trillion dollars on one key).
   */
  static SpendAggregate sum(final SpendAggregate total, final SpendAggregate delta) {
    return SpendAggregate.newBuilder(total)
        .setRequests(Math.addExact(total.getRequests(), delta.getRequests()))
        .setInputTokens(Math.addExact(total.getInputTokens(), delta.getInputTokens()))
        .setOutputTokens(Math.addExact(total.getOutputTokens(), delta.getOutputTokens()))
        .setCachedInputTokens(
            Math.addExact(total.getCachedInputTokens(), delta.getCachedInputTokens()))
        .setReasoningTokens(Math.addExact(total.getReasoningTokens(), delta.getReasoningTokens()))
        .setCostMicros(Math.addExact(total.getCostMicros(), delta.getCostMicros()))
        .setCounterfactualMicros(
            Math.addExact(total.getCounterfactualMicros(), delta.getCounterfactualMicros()))
        .setEstimatedRequests(
            Math.addExact(total.getEstimatedRequests(), delta.getEstimatedRequests()))
        .setUnpricedRequests(
            Math.addExact(total.getUnpricedRequests(), delta.getUnpricedRequests()))
        .setDuplicateRequests(
            Math.addExact(total.getDuplicateRequests(), delta.getDuplicateRequests()))
        .setDuplicateCostMicros(
            Math.addExact(total.getDuplicateCostMicros(), delta.getDuplicateCostMicros()))
        .build();
  }
}
