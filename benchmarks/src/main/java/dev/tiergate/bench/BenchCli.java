package dev.tiergate.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the benchmark harness ({@code benchmarks/run.sh <command>}). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Tiergate benchmark harness: load generator, peer comparison, trace replay, JMH.",
    subcommands = {LatencyCommand.class, TraceCommand.class, IngressCommand.class,
        DispatcherCommand.class, AccountingCommand.class, BulkCommand.class})
public final class BenchCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** A command-line program, so it may exit with the command's status. */
  public static void main(final String[] args) {
    System.exit(new CommandLine(new BenchCli()).execute(args));
  }
}
