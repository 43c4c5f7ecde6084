package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.load.LoadGenerator;
import dev.tiergate.bench.load.LoadResult;
import dev.tiergate.bench.peer.PortkeyGateway;
import dev.tiergate.launcher.TiergateStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Added latency of the full pipeline on the embedded stack, against calling the simulator directly
 * and against Portkey in front of the same simulator, at fixed rates; then the highest rate Tiergate
 * sustains with p99 under the limit; and the stack's cold start.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
    description = "Added latency at fixed rates vs direct and vs Portkey; max sustained rate; cold start.")
public final class LatencyCommand implements Callable<Integer> {

  @Mixin
  FixedRateOptions runs =
      new FixedRateOptions(List.of(100, 500), Duration.ofSeconds(20), Duration.ofSeconds(5));

  @Option(names = "--sustain-rates", split = ",",
      defaultValue = "100,200,300,400,500,700,1000,1500,2000",
      description = "ladder for the highest sustained rate")
  List<Integer> sustainRates;

  @Option(names = "--no-sustain", description = "skip the highest-sustained-rate ladder")
  boolean noSustain;

  @Option(names = "--sustain-duration", defaultValue = "PT15S")
  Duration sustainDuration;

  @Option(names = "--p99-limit-ms", defaultValue = "100")
  double p99LimitMs;

  @Mixin
  ComparisonOptions options;

  @Option(names = "--tracing", description = "also run Tiergate with tracing on (100 %% sampling) "
      + "at every rate, between two runs with it off, and report what tracing adds")
  boolean tracing;

  @Option(names = "--body", defaultValue = "SMALL",
      description = "request body: SMALL (a short coding request) or AGENT (an agent's step of "
          + "~60 KB with 22 tools)")
  RequestBodies.Kind body;

  @Option(names = "--mode", defaultValue = Targets.MODE,
      description = "the x-tiergate-mode Tiergate's requests carry; `none` sends none, so the "
          + "router's predictor picks the tier of every request")
  String mode;

  private final CpuRows cpu = new CpuRows();
  private final AnswerTimes answers = new AnswerTimes();
  private final BrokerRequests brokerRequests = new BrokerRequests("request");
  /** True while the fixed-rate runs go: their measured Tiergate answers feed the hop breakdown. */
  private boolean fixedRates;

  @Override
  public Integer call() throws Exception {
    final Report report = options.results.open("latency",
        "benchmarks/run.sh latency" + runs.flags() + sustainFlags() + options.flags()
            + (tracing ? " --tracing" : "") + " --body " + body + " --mode " + mode);
    final long coldStart = System.nanoTime();
    try (TiergateStack stack = Stacks.start("latency", options.serviceEnv.values);
        HttpTarget direct =
            Targets.direct(stack.simulatorUrl(), body.body(), HttpTarget.DEFAULT_CONNECTIONS);
        HttpTarget tiergate = Targets.tiergate(stack, body.body(), HttpTarget.DEFAULT_CONNECTIONS,
            "none".equals(mode) ? Optional.empty() : Optional.of(mode))) {
      tiergate.onAnswer(answers::answered);
      final String first = tiergate.fetchOnce(0);
      final long firstReplyMs = (System.nanoTime() - coldStart) / 1_000_000;
      report.line(String.format(Locale.ROOT,
          "Cold start: stack ready in %d ms (broker, registry, simulator, 4 services); first reply "
              + "through the pipeline %d ms after start began.",
          stack.startupTime().toMillis(), firstReplyMs));
      report.line("First Tiergate reply: `" + abbreviate(first) + "`");
      report.line("First direct reply: `" + abbreviate(direct.fetchOnce(0)) + "`");
      try (PortkeyGateway gateway = options.startPeer();
          HttpTarget portkey = gateway == null ? null
              : Targets.portkey(gateway, stack.simulatorUrl(), body.body(),
                  HttpTarget.DEFAULT_CONNECTIONS)) {
        cpu.peer(gateway);
        if (portkey != null) {
          report.line("First Portkey reply: `" + abbreviate(portkey.fetchOnce(0)) + "`");
        }
        compare(report, direct, tiergate, portkey);
        report.line("");
        report.line("### Where Tiergate's time goes (measured phases of the plain Tiergate runs "
            + "above, from event timestamps and when the generator read each answer)");
        report.line("");
        HopBreakdown.read(stack.kafkaSettings(), answers).markdown().forEach(report::line);
        sustained(report, "tiergate", tiergate);
        if (portkey != null) {
          sustained(report, "portkey", portkey);
        }
        cpu.write(report, "### CPU per request (ms of thread CPU per request sent, measured phases "
            + "only; pipeline = broker + the four services; Portkey's pipeline is its Node process, "
            + "with the idle Tiergate stack's own spending beside it in brackets)");
        report.line("");
        report.line("### Broker requests per request (the measured Tiergate runs; per topic: "
            + "appends and reads per partition, a fetch that waited counts its read twice; per "
            + "API: whole requests)");
        report.line("");
        brokerRequests.markdown().forEach(report::line);
      }
    }
    report.close();
    return 0;
  }

  private void compare(
      final Report report, final HttpTarget direct, final HttpTarget tiergate, final HttpTarget portkey) {
    final LoadGenerator generator = new LoadGenerator(Duration.ofSeconds(90));
    report.line("");
    report.line(String.format(Locale.ROOT,
        "### Fixed rates (open loop, latency from intended send time; warm-up %s, measured %s)",
        runs.warmup, runs.duration));
    report.line("");
    final List<String> rows = new ArrayList<>();
    final List<String> added = new ArrayList<>();
    final List<String> traced = new ArrayList<>();
    fixedRates = true;
    for (final int rate : runs.rates) {
      final LoadResult d = measure(generator, "direct", direct, rate, runs.warmup, runs.duration);
      final LoadResult t =
          measure(generator, "tiergate", tiergate, rate, runs.warmup, runs.duration);
      rows.add(d.markdownRow());
      rows.add(t.markdownRow());
      if (tracing) {
        // Off, on, off again: the later runs meet a warmer stack, so "on" is bracketed.
        final Traced on = withTracing(generator, tiergate, rate);
        final LoadResult offAgain =
            measure(generator, "tiergate", tiergate, rate, runs.warmup, runs.duration);
        rows.add(on.result().markdownRow());
        rows.add(offAgain.markdownRow());
        traced.add(tracingRow(rate, d, t, on, offAgain));
      }
      LoadResult p = null;
      if (portkey != null) {
        p = measure(generator, "portkey", portkey, rate, runs.warmup, runs.duration);
        rows.add(p.markdownRow());
      }
      added.add(addedRow(rate, d, t, p));
    }
    fixedRates = false;
    report.line(LoadResult.markdownHeader());
    rows.forEach(report::line);
    report.line("");
    report.line("Added latency (gateway minus direct at the same percentile, ms):");
    report.line("");
    report.line("| req/s | Tiergate p50 | p99 | p99.9 | Portkey p50 | p99 | p99.9 | p50 ratio T/P | p99 ratio T/P |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    added.forEach(report::line);
    if (tracing) {
      report.line("");
      report.line("Tracing at 100 % sampling (added latency vs direct, ms; runs off, on, off again; "
          + "spans batched and dropped in-process, no collector; tracing adds = on minus the mean "
          + "of the two off runs):");
      report.line("");
      report.line("| req/s | off p50 | off p99 | on p50 | on p99 | off again p50 | off again p99 "
          + "| tracing adds p50 | p99 | spans |");
      report.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      traced.forEach(report::line);
    }
  }

  /**
   * A run after its warm-up, with the CPU each part of the stack (and Portkey's process, for its
   * runs) spent on the measured requests only: warm-up and measurement are two phases of the same
   * rate.
   */
  private LoadResult measure(final LoadGenerator generator, final String label, final HttpTarget target,
      final int rate, final Duration warm, final Duration measured) {
    if (!warm.isZero()) {
      generator.run(label + " (warm-up)", target, rate, Duration.ZERO, warm);
    }
    final boolean timeAnswers = fixedRates && "tiergate".equals(label);
    return cpu.measure(String.format(Locale.ROOT, "%s @ %d/s", label, rate),
        label.startsWith("portkey"),
        () -> {
          if (timeAnswers) {
            answers.on();
          }
          final Map<String, Long> before = brokerRequests.snapshot();
          try {
            final LoadResult result = generator.run(label, target, rate, Duration.ZERO, measured);
            if (timeAnswers) {
              brokerRequests.add(label + " @ " + rate + "/s", before, brokerRequests.snapshot(),
                  result.run().sent());
            }
            return result;
          } finally {
            answers.off();
          }
        }, result -> result.run().sent());
  }

  /** A run with tracing on, and the spans it made (warm-up included). */
  private record Traced(LoadResult result, long spans) {}

  private Traced withTracing(final LoadGenerator generator, final HttpTarget tiergate, final int rate) {
    try (TracingSwitch traces = new TracingSwitch()) {
      traces.on();
      final LoadResult result =
          measure(generator, "tiergate+tracing", tiergate, rate, runs.warmup, runs.duration);
      traces.off();
      return new Traced(result, traces.exported());
    }
  }

  private static String tracingRow(final int rate, final LoadResult d, final LoadResult off,
      final Traced traced, final LoadResult offAgain) {
    final LoadResult on = traced.result();
    if (!d.run().clean() || !off.run().clean() || !on.run().clean() || !offAgain.run().clean()) {
      return String.format(Locale.ROOT,
          "| %d | not valid: failed requests or generator behind | | | | | | | | |", rate);
    }
    final double[] offs = {added(off, d, 50), added(off, d, 99)};
    final double[] ons = {added(on, d, 50), added(on, d, 99)};
    final double[] agains = {added(offAgain, d, 50), added(offAgain, d, 99)};
    return String.format(Locale.ROOT,
        "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %+.2f | %+.2f | %d |",
        rate, offs[0], offs[1], ons[0], ons[1], agains[0], agains[1],
        ons[0] - (offs[0] + agains[0]) / 2, ons[1] - (offs[1] + agains[1]) / 2, traced.spans());
  }

  /** Gateway minus direct at the same percentile, ms. */
  private static double added(final LoadResult gateway, final LoadResult direct, final double percentile) {
    return gateway.millisAt(percentile) - direct.millisAt(percentile);
  }


  private static String addedRow(
      final int rate, final LoadResult d, final LoadResult t, final LoadResult p) {
    if (!d.run().clean() || !t.run().clean() || (p != null && !p.run().clean())) {
      // A difference of percentiles means nothing when a side dropped requests or fell behind.
      return String.format(Locale.ROOT,
          "| %d | not valid: failed requests or generator behind (direct %s, Tiergate %s, Portkey %s) |"
              + " | | | | | | |",
          rate, d.run().clean() ? "clean" : "not clean", t.run().clean() ? "clean" : "not clean",
          p == null ? "–" : p.run().clean() ? "clean" : "not clean");
    }
    final double t50 = t.millisAt(50) - d.millisAt(50);
    final double t99 = t.millisAt(99) - d.millisAt(99);
    final double t999 = t.millisAt(99.9) - d.millisAt(99.9);
    if (p == null) {
      return String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | – | – | – | – | – |",
          rate, t50, t99, t999);
    }
    final double p50 = p.millisAt(50) - d.millisAt(50);
    final double p99 = p.millisAt(99) - d.millisAt(99);
    final double p999 = p.millisAt(99.9) - d.millisAt(99.9);
    return String.format(Locale.ROOT,
        "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f× | %.1f× |",
        rate, t50, t99, t999, p50, p99, p999, t50 / p50, t99 / p99);
  }

  private void sustained(final Report report, final String label, final HttpTarget target) {
    if (noSustain || sustainRates.isEmpty()) {
      return;
    }
    final LoadGenerator generator = new LoadGenerator(Duration.ofSeconds(90));
    report.line("");
    report.line(String.format(Locale.ROOT,
        "### Highest sustained rate, %s (p99 < %.0f ms, no errors, generator within 5%% of the rate; %s per step)",
        label, p99LimitMs, sustainDuration));
    report.line("");
    report.line(LoadResult.markdownHeader());
    int best = 0;
    for (final int rate : sustainRates) {
      final LoadResult r = measure(generator, label, target, rate, Duration.ofSeconds(3), sustainDuration);
      report.line(r.markdownRow());
      if (!r.run().clean() || r.millisAt(99) >= p99LimitMs) {
        break;
      }
      best = rate;
    }
    report.line("");
    report.line(String.format(Locale.ROOT, "Highest sustained rate for %s: **%d req/s**", label, best));
  }

  /** The sustained-rate ladder's options as the report's command line spells them. */
  String sustainFlags() {
    return noSustain
        ? " --no-sustain"
        : String.format(Locale.ROOT, " --sustain-rates %s --sustain-duration %s --p99-limit-ms %s",
            FixedRateOptions.commaSeparated(sustainRates), sustainDuration, p99LimitMs);
  }

  static String abbreviate(final String text) {
    final String flat = text.replace('\n', ' ').replace('`', '\'');
    return flat.length() <= 160 ? flat : flat.substring(0, 160) + "…";
  }
}
