package dev.tiergate.accounting;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tiergate.schemas.SpendAggregate;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * A tenant's spend along one dimension in one window, shaped as the HTTP API returns it. Dollars are
 * rendered from the exact micro-dollars as a decimal string, never through a floating point.
 * {@code duplicateCostMicros} is what further provider calls for requests already billed cost the
 * platform; it is not in {@code totalMicros}, and the two together are what the providers charged.
 */
@JsonPropertyOrder({
  "tenant", "by", "window", "rows", "totalMicros", "totalUsd", "counterfactualMicros",
  "counterfactualUsd", "duplicateRequests", "duplicateCostMicros", "duplicateCostUsd",
  "nextCursor"
})
public record SpendReport(
    String tenant,
    String by,
    String window,
    List<Row> rows,
    long totalMicros,
    String totalUsd,
    long counterfactualMicros,
    String counterfactualUsd,
    long duplicateRequests,
    long duplicateCostMicros,
    String duplicateCostUsd,
    String nextCursor) {

  public SpendReport {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(window, "window");
    rows = List.copyOf(rows);
    Objects.requireNonNull(totalUsd, "totalUsd");
  }

  /**
   * One page of the given aggregates (sorted by value): the rows after the page's cursor, at most
   * its limit, and {@code nextCursor} when more follow. The totals are over every aggregate of the
   * bucket, not only the page's, so they reconcile with the budgets whatever the page.
   */
  public static SpendReport page(
      final SpendScope scope, final List<SpendAggregate> sortedAggregates, final SpendPage page) {
    long total = 0;
    long counterfactual = 0;
    long duplicates = 0;
    long duplicateCost = 0;
    final List<Row> rows = new java.util.ArrayList<>();
    boolean more = false;
    for (final SpendAggregate aggregate : sortedAggregates) {
      total = Math.addExact(total, aggregate.getCostMicros());
      counterfactual = Math.addExact(counterfactual, aggregate.getCounterfactualMicros());
      duplicates = Math.addExact(duplicates, aggregate.getDuplicateRequests());
      duplicateCost = Math.addExact(duplicateCost, aggregate.getDuplicateCostMicros());
      if (page.admits(aggregate.getValue())) {
        if (rows.size() < page.limit()) {
          rows.add(Row.of(aggregate));
        } else {
          more = true;
        }
      }
    }
    final String next = more ? SpendPage.cursorAfter(rows.get(rows.size() - 1).value()) : null;
    return new SpendReport(scope.tenant(), scope.by().label(), scope.window().label(), rows,
        total, usd(total), counterfactual, usd(counterfactual), duplicates, duplicateCost,
        usd(duplicateCost), next);
  }

  /** Micro-dollars as dollars with six decimals, e.g. 1234 → {@code 0.001234}. */
  public static String usd(final long micros) {
    return BigDecimal.valueOf(micros, 6).toPlainString();
  }

  /**
   * One value of the dimension.
   *
   * @param counterfactualMicros what the same requests would have cost on the frontier tier's
   *     first model
   * @param estimatedRequests requests whose token counts were estimated (no usage reported)
   * @param unpricedRequests requests on models missing from the catalogue, counted at cost 0
   * @param duplicateRequests further provider calls for requests already billed (platform cost)
   * @param duplicateCostMicros what those calls cost at catalogue prices, not in {@code costMicros}
   */
  @JsonPropertyOrder({
    "value", "requests", "inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens",
    "costMicros", "costUsd", "counterfactualMicros", "estimatedRequests", "unpricedRequests",
    "duplicateRequests", "duplicateCostMicros"
  })
  public record Row(
      String value,
      long requests,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      long costMicros,
      String costUsd,
      long counterfactualMicros,
      long estimatedRequests,
      long unpricedRequests,
      long duplicateRequests,
      long duplicateCostMicros) {

    static Row of(final SpendAggregate aggregate) {
      return new Row(
          aggregate.getValue(),
          aggregate.getRequests(),
          aggregate.getInputTokens(),
          aggregate.getOutputTokens(),
          aggregate.getCachedInputTokens(),
          aggregate.getReasoningTokens(),
          aggregate.getCostMicros(),
          usd(aggregate.getCostMicros()),
          aggregate.getCounterfactualMicros(),
          aggregate.getEstimatedRequests(),
          aggregate.getUnpricedRequests(),
          aggregate.getDuplicateRequests(),
          aggregate.getDuplicateCostMicros());
    }
  }
}
