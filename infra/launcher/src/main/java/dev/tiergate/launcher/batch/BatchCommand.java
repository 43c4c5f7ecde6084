package dev.tiergate.launcher.batch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tiergate batch}: submit, follow and collect batch jobs (see docs/batch.md). */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Batch jobs as events: submit an OpenAI Batch API JSONL file, follow it, collect results.",
    subcommands = {
      BatchSubmitCommand.class,
      BatchStatusCommand.class,
      BatchResultsCommand.class,
      BatchExampleCommand.class
    })
public final class BatchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    new CommandLine(spec).usage(spec.commandLine().getOut());
  }
}
