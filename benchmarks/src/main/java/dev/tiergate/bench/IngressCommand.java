package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.load.LoadGenerator;
import dev.tiergate.bench.load.LoadResult;
import dev.tiergate.bench.loopback.LoopbackIngress;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.ingress.limits.TenantLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The ingress alone (issue 3): the real HTTP server, auth, normalization and reply correlation, with
 * Kafka replaced by an in-memory loopback that answers every request at once. Every millisecond
 * measured is the ingress's own (plus the generator's, which shares the machine).
 */
@Command(name = "ingress", mixinStandardHelpOptions = true,
    description = "Ingress alone, bus replaced by an in-memory loopback: latency at fixed rates.")
public final class IngressCommand implements Callable<Integer> {

  @Mixin
  FixedRateOptions runs = new FixedRateOptions(
      List.of(100, 500, 1000, 2000), Duration.ofSeconds(15), Duration.ofSeconds(5));

  @Mixin ResultsOption results;

  @Option(names = "--with-limits", description = "At each rate, also run a key under rate limits"
      + " (key and tenant: requests, tokens and concurrency, set high enough never to refuse),"
      + " to measure what admission and the rate-limit headers add.")
  boolean withLimits;

  /** A key under every kind of limit, none of which the run reaches; its tenant is limited too. */
  private static final String LIMITED_KEYS =
      "tg-demo-key=demo:balanced,tg-bench-limited=bench:balanced;rpm=100000000;tpm=1000000000;"
          + "concurrent=100000";

  private static HttpTarget target(final IngressService ingress, final String key) {
    return new HttpTarget("ingress",
        "http://127.0.0.1:" + ingress.port() + "/v1/chat/completions",
        Map.of("Authorization", "Bearer " + key, "x-tiergate-mode", "code"),
        seq -> RequestBodies.chat("auto/balanced", seq));
  }

  @Override
  public Integer call() {
    final Report report = results.open("ingress-loopback",
        "benchmarks/run.sh ingress" + runs.flags() + (withLimits ? " --with-limits" : ""));
    final IngressService ingress = LoopbackIngress.start(
        LIMITED_KEYS, TenantLimits.parse("bench;rpm=100000000;tpm=1000000000;concurrent=100000"));
    try (HttpTarget target = target(ingress, "tg-demo-key");
        HttpTarget limited = target(ingress, "tg-bench-limited")) {
      report.line("First reply: `" + LatencyCommand.abbreviate(target.fetchOnce(0)) + "`");
      report.line("");
      report.line(LoadResult.markdownHeader());
      final LoadGenerator generator = new LoadGenerator(Duration.ofSeconds(60));
      for (final int rate : runs.rates) {
        report.line(generator.run("ingress (loopback)", target, rate, runs.warmup, runs.duration)
            .markdownRow());
        if (withLimits) {
          report.line(generator.run("ingress (loopback), rate limits on", limited, rate,
              runs.warmup, runs.duration).markdownRow());
        }
      }
    } finally {
      ingress.close();
    }
    report.close();
    return 0;
  }
}
