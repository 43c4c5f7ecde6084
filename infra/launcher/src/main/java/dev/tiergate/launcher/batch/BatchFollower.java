package dev.tiergate.launcher.batch;

import dev.tiergate.schemas.BatchProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** Follows a batch to its end with a progress bar; shared by {@code submit --wait} and {@code status --wait}. */
final class BatchFollower {

  private BatchFollower() {}

  /** Returns whether every item was answered before the timeout. */
  static boolean follow(
      final BatchClient client, final String batchId, final long total, final Duration timeout,
      final PrintWriter err) {
    final ProgressBar bar = new ProgressBar(err, System.console() != null);
    final Optional<BatchProgress> last =
        client.follow(batchId, total, Instant.now().plus(timeout),
            progress -> bar.show("running", answered(progress),
                Math.max(total, progress.getTotal()), suffix(progress)));
    bar.finish();
    final boolean finished = last.isPresent() && BatchClient.finished(last.get(), total);
    if (finished) {
      err.printf("batch %s finished: %s%n", batchId, summary(last.get(), total));
    } else {
      err.printf("batch %s not finished after %s: %s%n", batchId, timeout,
          last.map(progress -> summary(progress, total)).orElse("no progress yet"));
    }
    err.flush();
    return finished;
  }

  static String summary(final BatchProgress progress, final long total) {
    return String.format(Locale.ROOT, "%d/%d answered, %d done, %d failed, cost %s",
        answered(progress), Math.max(total, progress.getTotal()), progress.getDone(),
        progress.getFailed(), ProgressBar.dollars(progress.getCostMicros()));
  }

  private static long answered(final BatchProgress progress) {
    return progress.getDone() + progress.getFailed();
  }

  private static String suffix(final BatchProgress progress) {
    return progress.getFailed() + " failed, " + ProgressBar.dollars(progress.getCostMicros());
  }
}
