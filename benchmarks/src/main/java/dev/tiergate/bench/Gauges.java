package dev.tiergate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Samples a value (e.g. calls in flight) and the JVM's used heap every 100 ms on a daemon thread,
 * keeping the maximum and the mean, for the throughput benchmarks that report memory.
 */
final class Gauges implements AutoCloseable {

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
