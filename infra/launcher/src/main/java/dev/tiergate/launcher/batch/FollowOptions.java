package dev.tiergate.launcher.batch;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --wait} and {@code --timeout-seconds}: whether a batch command follows its batch to the end
 * ({@link BatchFollower}), and for how long.
 */
final class FollowOptions {

  /** The exit code when the batch was followed and had not finished by the timeout. */
  static final int EXIT_TIMED_OUT = 2;

  @Option(names = "--wait", description = "Follow the batch until every item is answered.")
  boolean await;

  @Option(names = "--timeout-seconds", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  FollowOptions() {
    this(3_600);
  }

  FollowOptions(final long defaultTimeoutSeconds) {
    this.timeoutSeconds = defaultTimeoutSeconds;
  }

  /**
   * Follows the batch when {@code --wait} asks for it.
   *
   * @return 0 when it was not asked or the batch finished in time, else {@link #EXIT_TIMED_OUT}
   */
  int follow(final BatchClient client, final String id, final long total, final PrintWriter err) {
    if (!await) {
      return 0;
    }
    return BatchFollower.follow(client, id, total, Duration.ofSeconds(timeoutSeconds), err)
        ? 0 : EXIT_TIMED_OUT;
  }
}
