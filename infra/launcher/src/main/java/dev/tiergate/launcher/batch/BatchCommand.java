package dev.tiergate.launcher.batch;

import dev.tiergate.launcher.CommandGroup;
import picocli.CommandLine.Command;

/** {@code tiergate batch}: submit, follow and collect batch jobs (see docs/batch.md). */
@Command(
    name = "batch",
    description = "Batch jobs as events: submit an OpenAI Batch API JSONL file, follow it, collect results.",
    subcommands = {
      BatchSubmitCommand.class,
      BatchStatusCommand.class,
      BatchResultsCommand.class,
      BatchExampleCommand.class
    })
public final class BatchCommand extends CommandGroup {}
