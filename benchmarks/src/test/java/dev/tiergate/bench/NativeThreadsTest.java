package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeThreadsTest {

  /** A {@code stat} line with {@code utime} 250 and {@code stime} 30 ticks. */
  private static String stat(final int tid, final String comm) {
    return tid + " (" + comm + ") S 1 1 1 0 -1 4194368 0 0 0 0 250 30 0 0 20 0 40 0 100 0 0\n";
  }

  @Test
  void readsUserAndSystemTimeAfterANameWithSpacesAndParentheses() {
    assertThat(NativeThreads.cpuMillis(stat(7, "C2 CompilerThre"))).isEqualTo(2_800);
    assertThat(NativeThreads.cpuMillis(stat(8, "odd) name ("))).isEqualTo(2_800);
  }

  @Test
  void namesTheJvmsOwnThreadsAndLeavesJavaThreadsOut() {
    assertThat(NativeThreads.kindOf("C1 CompilerThre")).contains("JIT compilers");
    assertThat(NativeThreads.kindOf("C2 CompilerThre")).contains("JIT compilers");
    assertThat(NativeThreads.kindOf("GC Thread#1")).contains("GC");
    assertThat(NativeThreads.kindOf("G1 Conc#0")).contains("GC");
    assertThat(NativeThreads.kindOf("VM Periodic Tas")).contains("VM thread and periodic tasks");
    assertThat(NativeThreads.kindOf("data-plane-kafk")).isEmpty();
    assertThat(NativeThreads.kindOf("main")).isEmpty();
  }

  @Test
  void sumsTheTasksOfEachKind(@TempDir final Path tasks) throws IOException {
    write(tasks, 11, "C2 CompilerThre");
    write(tasks, 12, "C1 CompilerThre");
    write(tasks, 13, "GC Thread#0");
    write(tasks, 14, "tiergate-router");
    Files.createDirectories(tasks.resolve("15")); // ended before its stat was read

    assertThat(NativeThreads.millisByKind(tasks))
        .isEqualTo(Map.of("JIT compilers", 5_600L, "GC", 2_800L));
  }

  @Test
  void reportsNothingWithoutProc(@TempDir final Path dir) {
    assertThat(NativeThreads.millisByKind(dir.resolve("missing"))).isEmpty();
  }

  private static void write(final Path tasks, final int tid, final String comm) throws IOException {
    final Path task = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
    Files.writeString(task.resolve("stat"), stat(tid, comm));
  }
}
