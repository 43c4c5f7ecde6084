package dev.tiergate.bench;

import dev.tiergate.bench.peer.PortkeyGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The CPU table of a report: one row per measured run, with the CPU each part of the stack spent
 * during that run only (warm-ups are separate runs, not measured), and Portkey's process CPU for
 * the runs that went through it.
 */
final class CpuRows {

  private final CpuMeter cpu = new CpuMeter();
  private final List<String> rows = new ArrayList<>();
  private PortkeyGateway peer;

  /** The peer gateway whose process CPU the peer runs report; null when there is none. */
  void peer(final PortkeyGateway gateway) {
    this.peer = gateway;
  }

  /**
   * Runs {@code work} and adds its row.
   *
   * @param run the row's label
   * @param throughPeer whether the requests went through the peer gateway
   * @param requests how many requests the result sent, to divide by
   */
  <T> T measure(final String run, final boolean throughPeer, final Supplier<T> work,
      final ToLongFunction<T> requests) {
    Objects.requireNonNull(run, "run");
    if (throughPeer && peer == null) {
      throw new IllegalStateException("a peer run without a peer gateway: " + run);
    }
    final CpuMeter.Snapshot before = cpu.snapshot();
    final Duration peerBefore = peer == null ? Duration.ZERO : peer.cpuTime();
    final T result = work.get();
    final Map<String, Double> spent = cpu.snapshot().millisSince(before);
    final long sent = requests.applyAsLong(result);
    rows.add(throughPeer
        ? CpuMeter.peerRow(run, peer.cpuTime().minus(peerBefore).toNanos() / 1e6, spent, sent)
        : CpuMeter.perRequestRow(run, spent, sent));
    return result;
  }

  /** The table under a heading that says what a request is and what the columns hold. */
  void write(final Report report, final String heading) {
    report.line("");
    report.line(heading);
    report.line("");
    report.line(CpuMeter.perRequestHeader());
    rows.forEach(report::line);
  }
}
