package dev.tiergate.launcher;

import java.io.PrintWriter;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * How every {@code tiergate} command fails: one line on stderr, never a stack trace. A mistake of
 * the caller's (a wrong option or value) or a cluster that cannot be found or reached exits 2;
 * anything else exits 1.
 */
public final class CliErrors {

  public static final int USAGE = 2;
  public static final int FAILURE = 1;

  private CliErrors() {}

  /** Installs the one-line handlers on a command line (and its subcommands). */
  public static CommandLine install(final CommandLine commandLine) {
    Objects.requireNonNull(commandLine, "commandLine");
    return commandLine
        .setParameterExceptionHandler(CliErrors::onBadArguments)
        .setExecutionExceptionHandler((error, command, parseResult) -> onFailure(error, command));
  }

  private static int onBadArguments(final ParameterException error, final String[] args) {
    final CommandLine command = error.getCommandLine();
    print(command, error.getMessage() + " (see '" + command.getCommandSpec().qualifiedName()
        + " --help')");
    return USAGE;
  }

  private static int onFailure(final Exception error, final CommandLine command) {
    print(command, describe(error));
    return isUsageOrConnection(error) ? USAGE : FAILURE;
  }

  /** The message of the error and, where it adds something, of its root cause, on one line. */
  static String describe(final Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    final String own = messageOf(error);
    if (root == error || error instanceof IllegalArgumentException
        || error instanceof ClusterOptions.ClusterUnreachableException) {
      return own;
    }
    final String cause = messageOf(root);
    return own.contains(cause) ? own : own + ": " + cause;
  }

  private static boolean isUsageOrConnection(final Exception error) {
    return error instanceof IllegalArgumentException
        || error instanceof ClusterOptions.ClusterUnreachableException;
  }

  private static String messageOf(final Throwable error) {
    final String message = error.getMessage();
    final String text = message == null || message.isBlank()
        ? error.getClass().getSimpleName() : message;
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static void print(final CommandLine command, final String line) {
    final PrintWriter err = command.getErr();
    err.println("error: " + line);
    err.flush();
  }
}
