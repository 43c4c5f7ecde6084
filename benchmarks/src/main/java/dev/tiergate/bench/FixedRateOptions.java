package dev.tiergate.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * {@code --rates}, {@code --duration} and {@code --warmup}: the fixed rates a command compares, and
 * how long each run is warmed up and then measured. Each command gives its own defaults.
 */
final class FixedRateOptions {

  @Option(names = "--rates", split = ",",
      description = "rates to compare, per second (default: ${DEFAULT-VALUE})")
  List<Integer> rates;

  @Option(names = "--duration", description = "measured time per run (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--warmup",
      description = "discarded time before each run (default: ${DEFAULT-VALUE})")
  Duration warmup;

  FixedRateOptions(final List<Integer> rates, final Duration duration, final Duration warmup) {
    this.rates = rates;
    this.duration = duration;
    this.warmup = warmup;
  }

  /** These options as the report's command line spells them, to be run again as printed. */
  String flags() {
    return String.format(Locale.ROOT, " --rates %s --duration %s --warmup %s",
        commaSeparated(rates), duration, warmup);
  }

  /** A list option's values as picocli reads them back ({@code split = ","}). */
  static String commaSeparated(final List<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
