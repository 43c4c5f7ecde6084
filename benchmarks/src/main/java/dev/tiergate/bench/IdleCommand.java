package dev.tiergate.bench;

import dev.tiergate.launcher.TiergateStack;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the embedded stack costs while nobody calls it: the share of one core each part uses after
 * the first minute (what {@code ./tiergate up} spends on a laptop doing nothing), and its memory.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
    description = "CPU share per part of the idle embedded stack after it settles; RSS and heap.")
public final class IdleCommand implements Callable<Integer> {

  @Option(names = "--settle", defaultValue = "PT60S", description = "idle time before measuring")
  Duration settle;

  @Option(names = "--duration", defaultValue = "PT60S", description = "measured idle time")
  Duration duration;

  @Mixin ResultsOption results;

  @Mixin ServiceEnvOption serviceEnv;

  @Override
  public Integer call() {
    final Report report = results.open("idle", String.format(Locale.ROOT,
        "benchmarks/run.sh idle --settle %s --duration %s", settle, duration)
        + serviceEnv.flag());
    final CpuMeter cpu = new CpuMeter();
    final BrokerRequests brokerRequests = new BrokerRequests("second");
    try (TiergateStack stack = Stacks.start("idle", serviceEnv.values)) {
      idleFor(settle);
      final CpuMeter.Snapshot before = cpu.snapshot();
      final Map<String, Long> requestsBefore = brokerRequests.snapshot();
      final Map<String, Long> jvmThreadsBefore = NativeThreads.millisByKind(NativeThreads.TASKS);
      final long childrenBefore = NativeThreads.childProcessesMillis();
      idleFor(duration);
      final Map<String, Double> spent = cpu.snapshot().millisSince(before);
      brokerRequests.add("idle", requestsBefore, brokerRequests.snapshot(), duration.toSeconds());
      final Map<String, Long> jvmThreads = NativeThreads.millisByKind(NativeThreads.TASKS);
      final long children = NativeThreads.childProcessesMillis() - childrenBefore;
      report.line(String.format(Locale.ROOT,
          "Idle embedded stack, %s after start, measured over %s: share of one core per part.",
          settle, duration));
      report.line("");
      report.line("| part | % of a core |");
      report.line("|---|---:|");
      double pipeline = 0;
      for (final Map.Entry<String, Double> part : spent.entrySet()) {
        final double share = 100 * part.getValue() / duration.toMillis();
        if (CpuMeter.PIPELINE.contains(part.getKey())) {
          pipeline += share;
        }
        report.line(String.format(Locale.ROOT, "| %s | %.2f |", part.getKey(), share));
      }
      report.line(String.format(Locale.ROOT,
          "| **pipeline (broker + services)** | **%.2f** |", pipeline));
      final double allParts = spent.values().stream().mapToDouble(Double::doubleValue).sum();
      final double thisProcess = 100 * allParts / duration.toMillis();
      final double registry = 100.0 * children / duration.toMillis();
      report.line(String.format(Locale.ROOT,
          "| **whole stack: every part above, and the registry's process (%.2f)** | **%.2f** |",
          registry, thisProcess + registry));
      report.line("");
      report.line("The JVM's own threads in that time (`/proc/self/task`, 10 ms ticks):");
      report.line("");
      report.line("| JVM threads | % of a core |");
      report.line("|---|---:|");
      jvmThreads.forEach((kind, millis) -> report.line(String.format(Locale.ROOT, "| %s | %.2f |",
          kind, 100.0 * (millis - jvmThreadsBefore.getOrDefault(kind, 0L)) / duration.toMillis())));
      report.line("");
      report.line("Memory of the benchmark's JVM (stack, simulator and harness in one process): "
          + "RSS " + residentMiB() + " MiB.");
      report.line("");
      report.line("What the broker handled per second (per topic: appends and reads per partition, "
          + "a fetch that waited counts its read twice; per API: whole requests; per client: its "
          + "own count):");
      report.line("");
      brokerRequests.markdown().forEach(report::line);
    }
    report.close();
    return 0;
  }

  /** Does nothing for {@code time} (a park may return early, so it parks until the deadline). */
  private static void idleFor(final Duration time) {
    final long deadline = System.nanoTime() + time.toNanos();
    for (long left = time.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** The process's resident set (Linux), in MiB; -1 where /proc is not there. */
  static long residentMiB() {
    try {
      return Gauges.rssKiB(Files.readAllLines(Gauges.STATUS)).orElse(-1024) / 1024;
    } catch (IOException e) {
      return -1;
    }
  }
}
