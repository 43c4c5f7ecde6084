package dev.tiergate.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What the embedded broker handled per pipeline request, read from its own meters in this JVM: at
 * low rates the broker's cost is per produce and per fetch, not per byte, so these counts say which
 * lane costs what whatever the machine's load. Per topic, the broker's {@code BrokerTopicMetrics}
 * meters count one produce (an append) and one fetch (a read) per partition a request touches, and
 * a fetch that waited for data counts its read again when it completes; per API, {@code
 * RequestMetrics} counts whole requests.
 */
final class BrokerRequests {

  private static final String PRODUCE = "TotalProduceRequestsPerSec";
  private static final String FETCH = "TotalFetchRequestsPerSec";

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final String unit;
  private final List<String> runs = new ArrayList<>();
  private final List<Map<String, Double>> perUnit = new ArrayList<>();

  /** Counts per {@code unit}: "request" for a load run, "second" for an idle one. */
  BrokerRequests(final String unit) {
    this.unit = unit;
  }

  /** The meters' counts now: "produce topic", "fetch topic" and "api Name" keys. */
  Map<String, Long> snapshot() {
    final Map<String, Long> counts = new TreeMap<>();
    topicCounts(PRODUCE, "produce ", counts);
    topicCounts(FETCH, "fetch ", counts);
    for (final ObjectName name : query("kafka.network:type=RequestMetrics,name=RequestsPerSec,*")) {
      counts.merge("api " + name.getKeyProperty("request"), count(name), Long::sum);
    }
    clientCounts("kafka.producer:type=producer-metrics,*", "request-total", "client requests ",
        counts);
    clientCounts("kafka.consumer:type=consumer-fetch-manager-metrics,*", "fetch-total",
        "client fetches ", counts);
    return counts;
  }

  /**
   * A client-side total of every client matching {@code pattern}, by client id with its instance
   * and thread ids taken out, so one row is one lane (e.g. an app's stream threads' producers).
   */
  private void clientCounts(final String pattern, final String attribute, final String prefix,
      final Map<String, Long> counts) {
    for (final ObjectName name : query(pattern)) {
      final String client = name.getKeyProperty("client-id");
      if (client == null || name.getKeyProperty("topic") != null) {
        continue;
      }
      try {
        final long total = ((Number) server.getAttribute(name, attribute)).longValue();
        counts.merge(prefix + lane(client), total, Long::sum);
      } catch (JMException e) {
        throw new IllegalStateException("cannot read the client meter " + name, e);
      }
    }
  }

  /** A client id without the random instance id and thread number Streams puts into it. */
  static String lane(final String clientId) {
    return clientId.replaceAll("-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "")
        .replaceAll("StreamThread-[0-9]+", "StreamThread")
        .replaceAll("-[0-9]+$", "");
  }

  /**
   * Adds a run's column: what the broker handled between the snapshots, per unit (the run had
   * {@code units} of them: requests sent, or seconds).
   */
  void add(final String run, final Map<String, Long> before, final Map<String, Long> after,
      final long units) {
    final Map<String, Double> column = new LinkedHashMap<>();
    after.forEach((key, now) -> {
      final long handled = now - before.getOrDefault(key, 0L);
      if (handled > 0) {
        column.put(key, handled / (double) Math.max(1, units));
      }
    });
    runs.add(run);
    perUnit.add(column);
  }

  /** The table: one row per topic and API that saw any request, one column per run. */
  List<String> markdown() {
    final TreeSet<String> keys = new TreeSet<>();
    perUnit.forEach(column -> keys.addAll(column.keySet()));
    final List<String> lines = new ArrayList<>();
    lines.add("| per " + unit + " | " + String.join(" | ", runs) + " |");
    lines.add("|---|" + "---:|".repeat(runs.size()));
    for (final String key : keys) {
      final StringBuilder row = new StringBuilder("| ").append(key);
      perUnit.forEach(column -> row.append(
          String.format(Locale.ROOT, " | %.2f", column.getOrDefault(key, 0.0))));
      lines.add(row.append(" |").toString());
    }
    return lines;
  }

  private void topicCounts(final String meter, final String prefix, final Map<String, Long> counts) {
    for (final ObjectName name : query("kafka.server:type=BrokerTopicMetrics,name=" + meter + ",*")) {
      final String topic = name.getKeyProperty("topic");
      counts.merge(prefix + (topic == null ? "(all topics)" : topic), count(name), Long::sum);
    }
  }

  private Iterable<ObjectName> query(final String pattern) {
    try {
      return server.queryNames(new ObjectName(pattern), null);
    } catch (JMException e) {
      throw new IllegalStateException("cannot query the broker's meters: " + pattern, e);
    }
  }

  private long count(final ObjectName name) {
    try {
      return ((Number) server.getAttribute(name, "Count")).longValue();
    } catch (JMException e) {
      throw new IllegalStateException("cannot read the broker's meter " + name, e);
    }
  }
}
