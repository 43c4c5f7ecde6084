package dev.tiergate.launcher.budgets;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.launcher.CommandGroup;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate budgets set|list|delete}: spend limits on {@code tiergate.budgets}. The cluster
 * comes from {@link ClusterOptions}. Limits are given in dollars and stored as exact integer
 * micro-dollars.
 */
@Command(
    name = "budgets",
    description = "Set, list and delete spend budgets (per tenant, optionally per mode or feature).",
    subcommands = {BudgetsCommand.Set.class, BudgetsCommand.ListBudgets.class,
        BudgetsCommand.Delete.class})
public final class BudgetsCommand extends CommandGroup {

  /** Dollars as exact micro-dollars: {@code 12.5} → 12,500,000; more than six decimals is an error. */
  static long micros(final String usd) {
    final BigDecimal dollars;
    try {
      dollars = new BigDecimal(usd.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an amount in dollars: " + usd, e);
    }
    if (dollars.signum() < 0) {
      throw new IllegalArgumentException("a limit cannot be negative: " + usd);
    }
    try {
      return dollars.movePointRight(6).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("at most six decimals (micro-dollars): " + usd, e);
    }
  }

  /** The id a budget gets when none is given: one budget per tenant, scope and period. */
  static String defaultId(
      final String tenant, final String mode, final String feature, final BudgetPeriod period) {
    final String scope = mode != null ? "mode-" + mode : feature != null ? "feature-" + feature : "all";
    return ("bud_" + tenant + "_" + scope + "_" + period.name()).toLowerCase(Locale.ROOT);
  }

  @Command(name = "set", description = "Create or replace a budget.")
  static final class Set extends ClusterCommand {

    @Option(names = "--tenant", required = true, description = "Tenant whose spend is limited.")
    String tenant;

    @Option(names = "--limit-usd", required = true, description = "Limit per period in dollars, e.g. 25 or 0.50.")
    String limitUsd;

    @Option(names = "--period", defaultValue = "MONTH", description = "DAY or MONTH, UTC (default: ${DEFAULT-VALUE}).")
    String period;

    @Option(names = "--action", defaultValue = "ALERT",
        description = "ALERT (alerts only), DOWNGRADE (router picks a cheaper tier) or REJECT (default: ${DEFAULT-VALUE}).")
    String action;

    @Option(names = "--mode", description = "Limit only this mode's spend (e.g. plan).")
    String mode;

    @Option(names = "--feature", description = "Limit only this feature's spend.")
    String feature;

    @Option(names = "--id", description = "Budget id (default: bud_<tenant>_<scope>_<period>).")
    String id;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      // Validated before the cluster is reached; a mistake is one line and exit code 2 (CliErrors).
      final Budget budget = budget();
      new BudgetCatalog(cluster.settings()).put(budget);
      out.printf(Locale.ROOT, "budget %s set: %s%n", budget.getBudgetId(), describe(budget));
      return 0;
    }

    Budget budget() {
      if (mode != null && feature != null) {
        throw new IllegalArgumentException("a budget limits a mode or a feature, not both");
      }
      final BudgetPeriod budgetPeriod = parse(BudgetPeriod.class, period, "period");
      return Budget.newBuilder()
          .setBudgetId(id != null ? id : defaultId(tenant, mode, feature, budgetPeriod))
          .setTenant(tenant)
          .setMode(mode)
          .setFeature(feature)
          .setPeriod(budgetPeriod)
          .setLimitMicros(micros(limitUsd))
          .setAction(parse(BudgetAction.class, action, "action"))
          .build();
    }
  }

  @Command(name = "list", description = "List budgets, optionally of one tenant.")
  static final class ListBudgets extends ClusterCommand {

    @Option(names = "--tenant", description = "Only this tenant's budgets.")
    String tenant;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final List<Budget> budgets = new BudgetCatalog(cluster.settings()).list().stream()
          .filter(b -> tenant == null || tenant.equals(b.getTenant()))
          .toList();
      if (budgets.isEmpty()) {
        out.println("no budgets");
      }
      for (final Budget budget : budgets) {
        out.printf(Locale.ROOT, "%-40s %s%n", budget.getBudgetId(), describe(budget));
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a budget by id.")
  static final class Delete extends ClusterCommand {

    @Option(names = "--id", required = true, description = "Budget id.")
    String id;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      new BudgetCatalog(cluster.settings()).delete(id);
      out.printf(Locale.ROOT, "budget %s deleted%n", id);
      return 0;
    }
  }

  static String describe(final Budget budget) {
    final String scope = budget.getMode() != null ? "mode " + budget.getMode()
        : budget.getFeature() != null ? "feature " + budget.getFeature() : "all spend";
    return String.format(Locale.ROOT, "tenant %s, %s, $%s per %s, %s",
        budget.getTenant(), scope, BigDecimal.valueOf(budget.getLimitMicros(), 6).stripTrailingZeros().toPlainString(),
        budget.getPeriod().name().toLowerCase(Locale.ROOT),
        budget.getAction().name().toLowerCase(Locale.ROOT));
  }

  private static <E extends Enum<E>> E parse(final Class<E> type, final String value, final String what) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " must be one of "
          + Arrays.toString(type.getEnumConstants()) + ": " + value, e);
    }
  }
}
