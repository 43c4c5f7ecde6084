package dev.tiergate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * A Markdown report of one benchmark run, printed as it grows and kept under {@code
 * benchmarks/results/} (git-ignored), headed by what the figures depend on: the machine, its load
 * average at the start and end, and the JVM.
 */
public final class Report {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Path file;

  private Report(final Path file) {
    this.file = file;
  }

  /** Opens {@code dir/<name>-<utc stamp>.md} and writes the header. */
  public static Report open(final Path dir, final String name, final String command) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(command, "command");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    final Report report = new Report(dir.resolve(name + "-" + STAMP.format(Instant.now()) + ".md"));
    report.line("## " + name + " (" + Instant.now() + ")");
    report.line("");
    report.line("- command: `" + command + "`");
    report.line("- machine: " + machine());
    report.line("- load average at start: " + loadAverage());
    report.line("");
    return report;
  }

  /** Appends a line to the file and prints it. */
  public void line(final String text) {
    System.out.println(text);
    try {
      Files.writeString(
          file, text + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the closing load average and where the report is. */
  public void close() {
    line("");
    line("- load average at end: " + loadAverage());
    System.out.println("report: " + file);
  }

  static String machine() {
    final Runtime runtime = Runtime.getRuntime();
    return String.format(
        Locale.ROOT,
        "%d cores, Java %s (%s), max heap %d MiB, %s %s",
        runtime.availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        runtime.maxMemory() / (1024 * 1024),
        System.getProperty("os.name"),
        System.getProperty("os.arch"));
  }

  /** The 1/5/15-minute load averages from {@code /proc/loadavg}, or the JVM's 1-minute figure. */
  public static String loadAverage() {
    try {
      final String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
