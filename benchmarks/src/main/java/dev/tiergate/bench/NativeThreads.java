package dev.tiergate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time that the Java thread clocks ({@link CpuMeter}) do not see: this JVM's own threads by
 * kind, read from Linux's {@code /proc/self/task/<tid>/stat}, and the processes this one started
 * (the schema registry). With them the idle report can say what the whole stack spends, which is
 * what {@code ./tiergate up} costs a laptop.
 */
final class NativeThreads {

  /** Linux's per-thread view of this process; where it is missing, nothing is reported. */
  static final Path TASKS = Path.of("/proc/self/task");
  /** Clock ticks per second of {@code utime} and {@code stime} (USER_HZ, 100 on Linux). */
  static final long TICKS_PER_SECOND = 100;

  private NativeThreads() {}

  /** The JVM's own threads' CPU milliseconds so far, by kind; Java threads are left out. */
  static Map<String, Long> millisByKind(final Path tasks) {
    final Map<String, Long> millis = new TreeMap<>();
    if (!Files.isDirectory(tasks)) {
      return millis;
    }
    try (Stream<Path> threads = Files.list(tasks)) {
      threads.forEach(thread -> {
        try {
          final String stat = Files.readString(thread.resolve("stat"));
          kindOf(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')))
              .ifPresent(kind -> millis.merge(kind, cpuMillis(stat), Long::sum));
        } catch (IOException | RuntimeException e) {
          // The thread ended between the listing and the read: its time is gone with it.
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + tasks, e);
    }
    return millis;
  }

  /**
   * The kind of a JVM thread by its kernel name (the first 15 characters of its name), or empty
   * for a Java thread.
   */
  static Optional<String> kindOf(final String comm) {
    if (comm.matches("C[12] CompilerThre.*")) {
      return Optional.of("JIT compilers");
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
      return Optional.of("GC");
    }
    if (comm.startsWith("VM ")) {
      return Optional.of("VM thread and periodic tasks");
    }
    return Optional.empty();
  }

  /** User plus system time of one {@code stat} line (fields 14 and 15), in milliseconds. */
  static long cpuMillis(final String stat) {
    final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields[0] is field 3 (the state), so utime (14) and stime (15) are at 11 and 12.
    final long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** CPU milliseconds so far of every process this one started and their own children. */
  static long childProcessesMillis() {
    return ProcessHandle.current().descendants()
        .mapToLong(child -> child.info().totalCpuDuration().map(Duration::toMillis).orElse(0L))
        .sum();
  }
}
