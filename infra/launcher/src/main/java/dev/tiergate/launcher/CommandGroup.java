package dev.tiergate.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code tiergate} command that only groups subcommands: run on its own, it prints its usage.
 * Every group has {@code --help} and {@code --version} (picocli applies this class's attributes to
 * its subclasses).
 */
@Command(mixinStandardHelpOptions = true)
public abstract class CommandGroup implements Runnable {

  @Spec protected CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
