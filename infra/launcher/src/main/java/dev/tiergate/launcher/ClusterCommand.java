package dev.tiergate.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code tiergate} command that talks to a cluster, found through {@link ClusterOptions}. It
 * prints its answer on the command line's out and its messages on its err, both flushed when it
 * returns, and fails as {@link CliErrors} describes.
 */
public abstract class ClusterCommand implements Callable<Integer> {

  @Spec protected CommandSpec spec;
  @Mixin protected ClusterOptions cluster = new ClusterOptions();

  @Override
  public final Integer call() throws Exception {
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The command's work; returns its exit code. */
  protected abstract int run(PrintWriter out, PrintWriter err) throws Exception;
}
