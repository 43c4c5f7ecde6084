package dev.tiergate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a value (e.g. calls in flight), the JVM's used heap and the process's resident memory
 * every 100 ms on a daemon thread, keeping the maximum and the mean, for the benchmarks that report
 * memory.
 */
final class Gauges implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gauges.class);
  /** Linux's view of this process; where it is missing, resident memory is not reported. */
  static final Path STATUS = Path.of("/proc/self/status");

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final LongSupplier value;
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(task -> {
        final Thread thread = new Thread(task, "bench-gauges");
        thread.setDaemon(true);
        return thread;
      });
  private final AtomicLong maxValue = new AtomicLong();
  private final AtomicLong sumValue = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong maxHeap = new AtomicLong();
  private final AtomicLong maxRssKiB = new AtomicLong(-1);
  private volatile boolean readRss = Files.isReadable(STATUS);

  Gauges(final LongSupplier value) {
    this.value = Objects.requireNonNull(value, "value");
    sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void sample() {
    final long v = value.getAsLong();
    maxValue.accumulateAndGet(v, Math::max);
    sumValue.addAndGet(v);
    samples.incrementAndGet();
    maxHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    if (readRss) {
      try {
        rssKiB(Files.readAllLines(STATUS)).ifPresent(kib -> maxRssKiB.accumulateAndGet(kib, Math::max));
      } catch (IOException e) {
        LOG.warn("cannot read {}; resident memory not sampled any more: {}", STATUS, e.toString());
        readRss = false;
      }
    }
  }

  /** The {@code VmRSS} line of a {@code /proc/<pid>/status}, in KiB. */
  static OptionalLong rssKiB(final List<String> statusLines) {
    for (final String line : statusLines) {
      if (line.startsWith("VmRSS:")) {
        final String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(fields[0]));
      }
    }
    return OptionalLong.empty();
  }

  long maxValue() {
    return maxValue.get();
  }

  double meanValue() {
    final long n = samples.get();
    return n == 0 ? 0 : (double) sumValue.get() / n;
  }

  long maxHeapMiB() {
    return maxHeap.get() / (1024 * 1024);
  }

  /** The most resident memory seen (VmRSS), or -1 where the platform does not say. */
  long maxRssMiB() {
    final long kib = maxRssKiB.get();
    return kib < 0 ? -1 : kib / 1024;
  }

  /** Heap in use right after a requested full GC: what the process really retains. */
  long retainedHeapMiB() {
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
