package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.launcher.TiergateStack;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Bulk throughput (issue 7): N requests through the whole embedded stack (HTTP, router, dispatcher,
 * simulator at 0 ms, responses back) as fast as it answers, with a fixed number in flight: wall time
 * and requests/s. The batch-file path may be faster (no HTTP); this is the path that exists today.
 */
@Command(name = "bulk", mixinStandardHelpOptions = true,
    description = "N requests through the embedded stack, fixed concurrency: wall time and req/s.")
public final class BulkCommand implements Callable<Integer> {

  @Option(names = "--requests", defaultValue = "100000")
  int requests;

  @Option(names = "--concurrency", defaultValue = "256")
  int concurrency;

  @Mixin ResultsOption results;

  @Override
  public Integer call() throws Exception {
    final Report report = results.open("bulk", String.format(Locale.ROOT,
        "benchmarks/run.sh bulk --requests %d --concurrency %d", requests, concurrency));
    try (TiergateStack stack = Stacks.start("bulk", Map.of());
        HttpTarget tiergate = Targets.tiergate(stack)) {
      tiergate.fetchOnce(0);
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
      if (!done.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " requests unanswered after 30 min");
      }
      final double seconds = (System.nanoTime() - start) / 1e9;
      report.line(String.format(Locale.ROOT,
          "%d requests (%d answered 200) through the embedded stack in **%.1f s**: **%.0f req/s** "
              + "with %d in flight (goal: 100,000 in ≤ 60 s).",
          requests, ok.get(), seconds, requests / seconds, concurrency));
    }
    report.close();
    return 0;
  }
}
