package dev.tiergate.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tiergate} command line: one entry point for the stack and its tools. */
@Command(
    name = "tiergate",
    mixinStandardHelpOptions = true,
    version = "tiergate 0.1.0",
    description = "LLM gateway for agent workloads, on Apache Kafka.",
    subcommands = {UpCommand.class, dev.tiergate.launcher.keys.KeysCommand.class, dev.tiergate.launcher.budgets.BudgetsCommand.class, dev.tiergate.launcher.batch.BatchCommand.class, dev.tiergate.launcher.routing.RoutesCommand.class, dev.tiergate.launcher.routing.ModelsCommand.class, dev.tiergate.launcher.routing.PredictorCommand.class, dev.tiergate.launcher.topics.TopicsCommand.class})
public final class TiergateCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The command line with its one-line error handling ({@link CliErrors}). */
  public static CommandLine commandLine() {
    return CliErrors.install(new CommandLine(new TiergateCli()));
  }

  public static void main(final String[] args) {
    if (args.length == 0 || !"up".equals(args[0])) {
      // Read by logback.xml before the first logger exists: see CliErrors for how tools fail.
      System.setProperty("tiergate.kafka.log.level", "OFF");
    }
    System.exit(commandLine().execute(args));
  }
}
