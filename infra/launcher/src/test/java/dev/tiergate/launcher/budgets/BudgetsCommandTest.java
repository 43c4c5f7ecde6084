package dev.tiergate.launcher.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The budgets CLI's parsing: exact dollars, ids, scopes; no cluster needed. */
class BudgetsCommandTest {

  @Test
  void convertsDollarsToExactMicroDollars() {
    assertThat(BudgetsCommand.micros("25")).isEqualTo(25_000_000);
    assertThat(BudgetsCommand.micros("0.000001")).isEqualTo(1);
    assertThat(BudgetsCommand.micros("12.5")).isEqualTo(12_500_000);
    assertThatThrownBy(() -> BudgetsCommand.micros("0.0000001"))
        .hasMessageContaining("six decimals");
    assertThatThrownBy(() -> BudgetsCommand.micros("-1")).hasMessageContaining("negative");
    assertThatThrownBy(() -> BudgetsCommand.micros("ten")).hasMessageContaining("dollars");
  }

  @Test
  void buildsAModeBudgetWithADefaultId() {
    final BudgetsCommand.Set set = parse("--tenant", "acme", "--limit-usd", "5", "--mode", "plan",
        "--period", "day", "--action", "reject");

    final Budget budget = set.budget();

    assertThat(budget.getBudgetId()).isEqualTo("bud_acme_mode-plan_day");
    assertThat(budget.getTenant()).isEqualTo("acme");
    assertThat(budget.getMode()).isEqualTo("plan");
    assertThat(budget.getFeature()).isNull();
    assertThat(budget.getPeriod()).isEqualTo(BudgetPeriod.DAY);
    assertThat(budget.getAction()).isEqualTo(BudgetAction.REJECT);
    assertThat(budget.getLimitMicros()).isEqualTo(5_000_000);
  }

  @Test
  void rejectsAModeAndAFeatureTogetherWithExitCode2() {
    final StringWriter err = new StringWriter();
    final CommandLine cli = TiergateCli.commandLine();
    cli.setErr(new PrintWriter(err));

    final int exit = cli.execute("budgets", "set", "--tenant", "acme", "--limit-usd", "5",
        "--mode", "plan", "--feature", "x", "--bootstrap-servers", "127.0.0.1:1",
        "--registry-url", "http://127.0.0.1:1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("not both").hasLineCount(1);
  }

  private static BudgetsCommand.Set parse(final String... args) {
    final BudgetsCommand.Set set = new BudgetsCommand.Set();
    new CommandLine(set).parseArgs(args);
    return set;
  }
}
