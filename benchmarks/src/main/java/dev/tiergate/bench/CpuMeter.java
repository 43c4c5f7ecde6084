package dev.tiergate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of the embedded stack's parts, from the JVM's per-thread CPU clocks grouped by thread
 * name: every part names its threads (Kafka clients by client id, Streams apps by application id,
 * each HTTP server and client on its own event loops), so one JVM can say what each service costs.
 * Threads that start and end between two snapshots are not seen; the parts' threads live as long as
 * the stack does. The JVM's own GC and compiler threads are not Java threads: their share is the
 * process's CPU time less what the Java threads spent.
 */
final class CpuMeter {

  private static final String JVM = "jvm (GC, JIT)";

  /** A part of the stack and the thread names that belong to it, tried in order. */
  private record Part(String name, Pattern threads) {}

  // Order matters: a Kafka client thread of a service names the service, so services come first.
  private static final List<Part> PARTS = List.of(
      new Part("ingress", Pattern.compile(
          ".*tiergate-ingress.*|tiergate-(replies|limits|table|idempotent|reply)-.*")),
      new Part("router", Pattern.compile(".*tiergate-router.*")),
      // consumer_background_thread: the dispatcher's group consumer (KIP-848) is the JVM's only one.
      new Part("dispatcher", Pattern.compile(
          ".*tiergate-dispatcher.*|tiergate-tail-.*|consumer_background_thread")),
      new Part("accounting", Pattern.compile(".*tiergate-(accounting|batches).*")),
      // main: the harness's own thread sends the load.
      new Part("load generator", Pattern.compile("bench-.*|main")),
      new Part("simulator", Pattern.compile("simulator-.*")),
      new Part("other", Pattern.compile("micrometer-.*")),
      new Part(JVM, Pattern.compile("(C1|C2) CompilerThread.*|VM .*|Sweeper thread")),
      new Part("broker", Pattern.compile(".*(kafka|raft|broker|controller|coordinator|Reaper"
          + "|TxnMarker|AddPartitionsToTxn|share-|executor-|transaction-|LogDir|SensorExpiry"
          + "|PersisterState|ShareGroup|client-metrics).*")));

  /** The parts that make up the gateway (not the load, the simulated provider or the JVM). */
  static final List<String> PIPELINE = List.of("broker", "ingress", "router", "dispatcher", "accounting");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean process =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  CpuMeter() {
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  /** CPU nanoseconds so far per thread id, with the thread's part. */
  Snapshot snapshot() {
    final Map<Long, Long> nanos = new LinkedHashMap<>();
    final Map<Long, String> parts = new LinkedHashMap<>();
    for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      final long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        nanos.put(info.getThreadId(), cpu);
        parts.put(info.getThreadId(), partOf(info.getThreadName()));
      }
    }
    return new Snapshot(process.getProcessCpuTime(), nanos, parts);
  }

  static String partOf(final String threadName) {
    for (final Part part : PARTS) {
      if (part.threads().matcher(threadName).matches()) {
        return part.name();
      }
    }
    return "other";
  }

  /** Per-thread CPU clocks at one moment. */
  record Snapshot(long processNanos, Map<Long, Long> nanos, Map<Long, String> parts) {

    /** CPU milliseconds per part spent since {@code earlier}, largest first. */
    Map<String, Double> millisSince(final Snapshot earlier) {
      final Map<String, Double> byPart = new LinkedHashMap<>();
      nanos.forEach((id, now) -> {
        final long spent = now - earlier.nanos.getOrDefault(id, 0L);
        byPart.merge(parts.get(id), spent / 1e6, Double::sum);
      });
      final double javaThreads = byPart.values().stream().mapToDouble(Double::doubleValue).sum();
      final double unattributed = (processNanos - earlier.processNanos) / 1e6 - javaThreads;
      byPart.merge(JVM, Math.max(0, unattributed), Double::sum);
      final Map<String, Double> sorted = new LinkedHashMap<>();
      byPart.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .forEach(e -> sorted.put(e.getKey(), e.getValue()));
      return sorted;
    }
  }

  /** One markdown row: CPU ms per request per part of the stack, and the pipeline's sum. */
  static String perRequestRow(final String label, final Map<String, Double> millis, final long requests) {
    final StringBuilder row = new StringBuilder("| ").append(label);
    double pipeline = 0;
    for (final String part : PIPELINE) {
      final double perRequest = millis.getOrDefault(part, 0.0) / Math.max(1, requests);
      pipeline += perRequest;
      row.append(String.format(Locale.ROOT, " | %.3f", perRequest));
    }
    return row.append(String.format(Locale.ROOT, " | **%.3f**", pipeline))
        .append(bystanders(millis, requests)).toString();
  }

  /**
   * The row of a gateway in a process of its own (Portkey): its process CPU is the pipeline; the
   * stack's columns show what the idle Tiergate stack in this JVM spent meanwhile.
   */
  static String peerRow(
      final String label, final double peerMillis, final Map<String, Double> millis, final long requests) {
    final StringBuilder row = new StringBuilder("| ").append(label);
    for (final String part : PIPELINE) {
      row.append(String.format(Locale.ROOT, " | (%.3f)",
          millis.getOrDefault(part, 0.0) / Math.max(1, requests)));
    }
    return row.append(String.format(Locale.ROOT, " | **%.3f**", peerMillis / Math.max(1, requests)))
        .append(bystanders(millis, requests)).toString();
  }

  private static String bystanders(final Map<String, Double> millis, final long requests) {
    final StringBuilder cells = new StringBuilder();
    for (final String other : List.of(JVM, "simulator", "load generator", "other")) {
      cells.append(String.format(Locale.ROOT, " | %.3f",
          millis.getOrDefault(other, 0.0) / Math.max(1, requests)));
    }
    return cells.append(" |").toString();
  }

  static String perRequestHeader() {
    return "| run | broker | ingress | router | dispatcher | accounting | **pipeline** "
        + "| JVM GC+JIT | simulator | load generator | other |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }
}
