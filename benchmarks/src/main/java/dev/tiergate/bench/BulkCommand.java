package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.launcher.TiergateStack;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Bulk throughput (issue 7): N requests through the whole embedded stack (router, dispatcher,
 * simulator at 0 ms, results back) as fast as it answers: wall time and requests/s. Over HTTP with
 * a fixed number in flight, or as batch jobs the way {@code tiergate batch submit} runs a file
 * ({@link BatchBulk}).
 */
@Command(name = "bulk", mixinStandardHelpOptions = true,
    description = "N requests through the embedded stack, over HTTP with fixed concurrency or as "
        + "batch jobs (--via BATCH): wall time and req/s.")
public final class BulkCommand implements Callable<Integer> {

  /** The way the requests go in. */
  enum Via { HTTP, BATCH }

  @Option(names = "--requests", defaultValue = "100000")
  int requests;

  @Option(names = "--via", defaultValue = "HTTP",
      description = "HTTP (POST /v1/chat/completions) or BATCH (Batch API files, as `tiergate "
          + "batch submit` runs them); default ${DEFAULT-VALUE}")
  Via via;

  @Option(names = "--concurrency", defaultValue = "256", description = "requests in flight over HTTP")
  int concurrency;

  @Option(names = "--jobs", defaultValue = "1",
      description = "with --via BATCH: batch jobs the requests are split over, submitted at once")
  int jobs;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "longest wait for the results")
  Duration timeout;

  @Mixin ServiceEnvOption serviceEnv;

  @Mixin ResultsOption results;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    validate();
    final Report report = results.open("bulk", command());
    final int status;
    try (TiergateStack stack = Stacks.start("bulk", serviceEnv.values);
        HttpTarget tiergate = Targets.tiergate(stack)) {
      tiergate.fetchOnce(0);
      status = via == Via.HTTP
          ? overHttp(tiergate, report)
          : new BatchBulk(stack.kafkaSettings(), requests, jobs, timeout).run(report);
    }
    report.close();
    return status;
  }

  /** Rejects options that do not fit together. */
  void validate() {
    if (requests < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--requests must be positive");
    }
    if (via == Via.HTTP && concurrency < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be positive");
    }
    if (via == Via.HTTP && jobs != 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--jobs needs --via BATCH");
    }
    if (jobs < 1 || jobs > requests) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--jobs must be between 1 and --requests (" + requests + ")");
    }
  }

  /** The run's command line, as the report and docs/benchmarks.md quote it. */
  String command() {
    final String how = via == Via.HTTP
        ? String.format(Locale.ROOT, "--concurrency %d", concurrency)
        : String.format(Locale.ROOT, "--via BATCH --jobs %d", jobs);
    return String.format(Locale.ROOT, "benchmarks/run.sh bulk --requests %d %s%s",
        requests, how, serviceEnv.flag());
  }

  private int overHttp(final HttpTarget tiergate, final Report report) throws InterruptedException {
    final Semaphore permits = new Semaphore(concurrency);
    final CountDownLatch done = new CountDownLatch(requests);
    final AtomicLong ok = new AtomicLong();
    final long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      permits.acquire();
      tiergate.send(i).whenComplete((status, error) -> {
        if (error == null && status == 200) {
          ok.incrementAndGet();
        }
        permits.release();
        done.countDown();
      });
    }
    if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(done.getCount() + " requests unanswered after " + timeout);
    }
    final double seconds = (System.nanoTime() - start) / 1e9;
    report.line(String.format(Locale.ROOT,
        "%d requests (%d answered 200) through the embedded stack in **%.1f s**: **%.0f req/s** "
            + "with %d in flight (goal: 100,000 in ≤ 60 s).",
        requests, ok.get(), seconds, requests / seconds, concurrency));
    return 0;
  }
}
