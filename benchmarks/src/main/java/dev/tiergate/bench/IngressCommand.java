package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.load.LoadGenerator;
import dev.tiergate.bench.load.LoadResult;
import dev.tiergate.bench.loopback.LoopbackIngress;
import dev.tiergate.ingress.IngressService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ingress alone (issue 3): the real HTTP server, auth, normalization and reply correlation, with
 * Kafka replaced by an in-memory loopback that answers every request at once. Every millisecond
 * measured is the ingress's own (plus the generator's, which shares the machine).
 */
@Command(name = "ingress", mixinStandardHelpOptions = true,
    description = "Ingress alone, bus replaced by an in-memory loopback: latency at fixed rates.")
public final class IngressCommand implements Callable<Integer> {

  @Option(names = "--rates", split = ",", defaultValue = "100,500,1000,2000")
  List<Integer> rates;

  @Option(names = "--duration", defaultValue = "PT15S")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "PT5S")
  Duration warmup;

  @Option(names = "--results", defaultValue = "benchmarks/results")
  Path results;

  @Override
  public Integer call() {
    final Report report = Report.open(results, "ingress-loopback", String.format(Locale.ROOT,
        "benchmarks/run.sh ingress --rates %s --duration %s --warmup %s", rates, duration, warmup));
    final IngressService ingress = LoopbackIngress.start();
    try (HttpTarget target = new HttpTarget("ingress",
        "http://127.0.0.1:" + ingress.port() + "/v1/chat/completions",
        Map.of("Authorization", "Bearer tg-demo-key", "x-tiergate-mode", "code"),
        seq -> RequestBodies.chat("auto/balanced", seq))) {
      report.line("First reply: `" + LatencyCommand.abbreviate(target.fetchOnce(0)) + "`");
      report.line("");
      report.line(LoadResult.markdownHeader());
      final LoadGenerator generator = new LoadGenerator(Duration.ofSeconds(60));
      for (final int rate : rates) {
        report.line(generator.run("ingress (loopback)", target, rate, warmup, duration).markdownRow());
      }
    } finally {
      ingress.close();
    }
    report.close();
    return 0;
  }
}
