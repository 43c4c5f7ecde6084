package dev.tiergate.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --results}: the folder every benchmark command writes its {@link Report} to. */
final class ResultsOption {

  @Option(names = "--results", defaultValue = "benchmarks/results")
  Path dir;

  /** Opens the run's report in the folder (see {@link Report#open}). */
  Report open(final String name, final String command) {
    return Report.open(dir, name, command);
  }
}
