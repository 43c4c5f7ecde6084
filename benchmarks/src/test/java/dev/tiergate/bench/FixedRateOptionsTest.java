package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FixedRateOptionsTest {

  @Test
  void keepsEachCommandsOwnDefaults() {
    final IngressCommand ingress = parsed(new IngressCommand());
    final StreamsCommand streams = parsed(new StreamsCommand());

    assertThat(ingress.runs.rates).containsExactly(100, 500, 1000, 2000);
    assertThat(ingress.runs.duration).isEqualTo(Duration.ofSeconds(15));
    assertThat(streams.runs.rates).containsExactly(100);
    assertThat(streams.runs.warmup).isEqualTo(Duration.ofSeconds(10));
    assertThat(streams.runs.flags()).isEqualTo(" --rates 100 --duration PT20S --warmup PT10S");
  }

  @Test
  void givenRatesReplaceTheDefaultOnes() {
    final LatencyCommand latency = parsed(new LatencyCommand(), "--rates", "50,70", "--warmup", "PT1S");

    assertThat(latency.runs.rates).isEqualTo(List.of(50, 70));
    assertThat(latency.runs.warmup).isEqualTo(Duration.ofSeconds(1));
    assertThat(latency.runs.flags()).isEqualTo(" --rates 50,70 --duration PT20S --warmup PT1S");
  }

  @Test
  void theReportsCommandLineRunsTheSameOptionsAgain() {
    final LatencyCommand given = parsed(new LatencyCommand(), "--rates", "100,200",
        "--sustain-rates", "300,400", "--sustain-duration", "PT10S", "--p99-limit-ms", "50");
    final LatencyCommand again = parsed(new LatencyCommand(),
        (given.runs.flags() + given.sustainFlags()).trim().split(" "));

    assertThat(again.runs.rates).containsExactly(100, 200);
    assertThat(again.sustainRates).containsExactly(300, 400);
    assertThat(again.sustainDuration).isEqualTo(Duration.ofSeconds(10));
    assertThat(again.p99LimitMs).isEqualTo(50.0);
    assertThat(parsed(new LatencyCommand(), "--no-sustain").sustainFlags())
        .isEqualTo(" --no-sustain");
  }

  @Test
  void showsTheCommandsDefaultsInItsHelp() {
    final String usage = new CommandLine(new LatencyCommand()).getUsageMessage();

    assertThat(usage).contains("rates to compare, per second (default: [100, 500])")
        .contains("discarded time before each run (default: PT5S)");
  }

  private static <T> T parsed(final T command, final String... args) {
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
