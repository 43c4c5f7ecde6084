package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.UsageEvent;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a budget means, in one place: which usage it covers, when its period starts, when it is
 * exhausted and which alert thresholds a spend has reached. Pure functions, shared by the stream and
 * the query API so both read a budget the same way.
 */
public final class BudgetRules {

  /** Alert thresholds in percent of the limit, each raised once per budget and period. */
  public static final List<Integer> THRESHOLDS = List.of(50, 80, 100);

  private static final BigInteger HUNDRED = BigInteger.valueOf(100);

  private BudgetRules() {}

  /**
   * The key of a budget inside the stream: tenant first, so {@link TenantPartitioner} keeps all of a
   * tenant's budgets on one partition and a status query reads one instance.
   */
  public static String storeKey(final String tenant, final String budgetId) {
    return SpendKey.escape(Objects.requireNonNull(tenant, "tenant")) + "|"
        + SpendKey.escape(Objects.requireNonNull(budgetId, "budgetId"));
  }

  /** The common prefix of every budget key of one tenant. */
  public static String storePrefix(final String tenant) {
    return SpendKey.escape(Objects.requireNonNull(tenant, "tenant")) + "|";
  }

  /** True when the usage counts against the budget: same tenant, and mode/feature if it names them. */
  public static boolean covers(final Budget budget, final UsageEvent usage) {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(usage, "usage");
    return budget.getTenant().equals(usage.getTenant())
        && (budget.getMode() == null || budget.getMode().equals(usage.getMode()))
        && (budget.getFeature() == null || budget.getFeature().equals(usage.getFeature()));
  }

  /** The start of the budget period (UTC day or month) that holds the given instant. */
  public static Instant periodStart(final BudgetPeriod period, final Instant at) {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(at, "at");
    return period == BudgetPeriod.DAY ? SpendWindow.DAY.start(at) : SpendWindow.MONTH.start(at);
  }

  /** Spent at or above the limit: the router downgrades or rejects from here on. */
  public static boolean exhausted(final long spentMicros, final long limitMicros) {
    return spentMicros >= limitMicros;
  }

  /** The highest threshold the spend has reached, 0 for none; exact for any long. */
  public static int reachedThreshold(final long spentMicros, final long limitMicros) {
    int reached = 0;
    final BigInteger spentTimesHundred = BigInteger.valueOf(spentMicros).multiply(HUNDRED);
    for (final int threshold : THRESHOLDS) {
      final BigInteger needed =
          BigInteger.valueOf(limitMicros).multiply(BigInteger.valueOf(threshold));
      if (spentTimesHundred.compareTo(needed) >= 0) {
        reached = threshold;
      }
    }
    return reached;
  }

  /** Spend as a percentage of the limit, rounded down; for display only. */
  public static long percent(final long spentMicros, final long limitMicros) {
    if (limitMicros <= 0) {
      return spentMicros > 0 ? 100 : 0;
    }
    return BigInteger.valueOf(spentMicros).multiply(HUNDRED)
        .divide(BigInteger.valueOf(limitMicros)).min(BigInteger.valueOf(Long.MAX_VALUE))
        .longValue();
  }
}
