package dev.tiergate.accounting;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;

/**
 * Turns one priced usage into the per-dimension, per-window deltas it adds, and adds deltas up. A
 * delta is a {@link SpendAggregate} of a single request, so the repartition topic and the store share
 * one Avro type and one serde.
 */
final class SpendAggregates {

  private SpendAggregates() {}

  /**
   * One delta for every dimension the usage has a value for, keyed by its store key. Its window is
   * {@code total} until a windowed store's output stamps it with {@link #inWindow}.
   */
  static List<KeyValue<String, SpendAggregate>> deltas(final PricedUsage priced) {
    Objects.requireNonNull(priced, "priced");
    final UsageEvent usage = priced.usage();
    final List<KeyValue<String, SpendAggregate>> deltas = new ArrayList<>();
    for (final SpendDimension dimension : SpendDimension.values()) {
      dimension.valueOf(usage).ifPresent(value -> {
        final SpendKey key = new SpendKey(
            usage.getTenant(), dimension, SpendWindow.TOTAL, Instant.EPOCH, value);
        deltas.add(KeyValue.pair(key.storeKey(), delta(priced, key)));
      });
    }
    return deltas;
  }

  static SpendAggregate delta(final PricedUsage priced, final SpendKey key) {
    final Usage usage = priced.usage().getUsage();
    return SpendAggregate.newBuilder()
        .setTenant(key.tenant())
        .setDimension(key.dimension().label())
        .setValue(key.value())
        .setWindow(key.window().label())
        .setWindowStart(key.windowStart())
        .setRequests(1)
        .setInputTokens(usage.getInputTokens())
        .setOutputTokens(usage.getOutputTokens())
        .setCachedInputTokens(usage.getCachedInputTokens())
        .setReasoningTokens(usage.getReasoningTokens())
        .setCostMicros(priced.costMicros())
        .setCounterfactualMicros(priced.counterfactualMicros())
        .setEstimatedRequests(usage.getEstimated() ? 1 : 0)
        .setUnpricedRequests(priced.priced() ? 0 : 1)
        .build();
  }

  /** The aggregate stamped with the window it was summed in. */
  static SpendAggregate inWindow(
      final SpendAggregate aggregate, final SpendWindow window, final Instant windowStart) {
    return SpendAggregate.newBuilder(aggregate)
        .setWindow(window.label())
        .setWindowStart(windowStart)
        .build();
  }

  /** The topic key of an aggregate: its store key plus window and window start. */
  static String topicKey(final SpendAggregate aggregate) {
    return new SpendKey(
            aggregate.getTenant(),
            SpendDimension.fromLabel(aggregate.getDimension()).orElseThrow(),
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
        .build();
  }
}
