package dev.tiergate.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the benchmark harness ({@code benchmarks/run.sh <command>}). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Tiergate benchmark harness: load generator, peer comparison, trace replay, JMH.",
    subcommands = {LatencyCommand.class, StreamsCommand.class, TraceCommand.class,
        IngressCommand.class, DispatcherCommand.class, AccountingCommand.class, BulkCommand.class,
        IdleCommand.class, TransactionsCommand.class})
public final class BenchCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /**
   * A command-line program, so it exits with the command's status, and also after an error that
   * picocli does not catch: the embedded broker's threads would otherwise keep the JVM alive.
   */
  public static void main(final String[] args) {
    int status = 1;
    try {
      status = new CommandLine(new BenchCli()).execute(args);
    } finally {
      System.exit(status);
    }
  }
}
