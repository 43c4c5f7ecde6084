package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Budgets acting before the call: of the tenant's budget states (published by accounting), those
 * that apply to this request (same tenant; mode and feature unset or equal) and are exhausted in
 * their current period decide. REJECT beats DOWNGRADE; ALERT never changes routing. A state whose
 * period has already ended is stale (accounting has not rolled it over yet) and is ignored, so a new
 * month does not start rejected.
 */
final class BudgetGuard {

  /** What the budgets say about one request. */
  sealed interface Verdict {}

  /** No exhausted budget acts on this request. */
  record Allow() implements Verdict {}

  /** Route one tier lower; {@code note} explains why. */
  record Downgrade(String budgetId, String note) implements Verdict {}

  /** Refuse with an {@code insufficient_quota} error; {@code message} is for the caller. */
  record Reject(String budgetId, String message) implements Verdict {}

  private BudgetGuard() {}

  static Verdict check(
      final String tenant,
      final Optional<String> mode,
      final String feature,
      final List<BudgetState> states,
      final Instant now) {
    Objects.requireNonNull(states, "states");
    Verdict verdict = new Allow();
    for (final BudgetState state : states) {
      if (!applies(state.getBudget(), tenant, mode, feature) || !exhausted(state, now)) {
        continue;
      }
      final Budget budget = state.getBudget();
      if (budget.getAction() == BudgetAction.REJECT) {
        return new Reject(budget.getBudgetId(), rejectMessage(state));
      }
      if (budget.getAction() == BudgetAction.DOWNGRADE && verdict instanceof Allow) {
        verdict = new Downgrade(budget.getBudgetId(), "budget " + budget.getBudgetId()
            + " exhausted (" + spent(state) + ")");
      }
    }
    return verdict;
  }

  /** frontier → balanced → small; small and free stay where they are; unknown tiers too. */
  static String downgrade(final String tier) {
    return switch (tier) {
      case "frontier" -> "balanced";
      case "balanced" -> "small";
      default -> tier;
    };
  }

  /** Same tenant; the budget's mode and feature, when it names them, equal the request's. */
  static boolean applies(
      final Budget budget, final String tenant, final Optional<String> mode, final String feature) {
    return budget.getTenant().equals(tenant)
        && (budget.getMode() == null
            || mode.map(m -> m.equals(budget.getMode().toLowerCase(Locale.ROOT))).orElse(false))
        && (budget.getFeature() == null || budget.getFeature().equals(feature));
  }

  private static boolean exhausted(final BudgetState state, final Instant now) {
    final boolean spent =
        state.getExhausted() || state.getSpentMicros() >= state.getBudget().getLimitMicros();
    return spent && now.isBefore(periodEnd(state));
  }

  private static Instant periodEnd(final BudgetState state) {
    final ZonedDateTime start = state.getPeriodStart().atZone(ZoneOffset.UTC);
    return (state.getBudget().getPeriod() == BudgetPeriod.DAY
            ? start.plusDays(1) : start.plusMonths(1))
        .toInstant();
  }

  private static String rejectMessage(final BudgetState state) {
    final Budget budget = state.getBudget();
    final String scope = (budget.getMode() == null ? "" : " mode " + budget.getMode())
        + (budget.getFeature() == null ? "" : " feature " + budget.getFeature());
    return "You exceeded your current quota: budget " + budget.getBudgetId() + " of tenant "
        + budget.getTenant() + scope + " is exhausted (" + spent(state) + "); requests are "
        + "rejected until the period ends.";
  }

  private static String spent(final BudgetState state) {
    return String.format(Locale.ROOT, "spent %s of %s USD this %s",
        usd(state.getSpentMicros()), usd(state.getBudget().getLimitMicros()),
        state.getBudget().getPeriod().name().toLowerCase(Locale.ROOT));
  }

  private static String usd(final long micros) {
    return java.math.BigDecimal.valueOf(micros, 6).toPlainString();
  }
}
