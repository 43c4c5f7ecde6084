package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpEnvironmentTest {

  private static final Path DIR = Path.of("data");

  @Test
  void simulatorSettingsAndReplyTimeoutComeFromTheEnvironment() {
    final TiergateStack.Options options =
        UpEnvironment.options(
            Map.of(
                "SIMULATOR_LATENCY_MS", "3000",
                "SIMULATOR_CHUNK_INTERVAL_MS", "50",
                "SIMULATOR_FAIL_SHARE", "0.1",
                "TIERGATE_REPLY_TIMEOUT", "1000"),
            DIR, 8080, 8083);

    assertThat(options.simulatorConfig().latency()).isEqualTo(Duration.ofSeconds(3));
    assertThat(options.simulatorConfig().chunkInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(options.simulatorConfig().failShare()).isEqualTo(0.1);
    assertThat(options.replyTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(List.of(options.ingressPort(), options.accountingPort())).containsExactly(8080, 8083);
  }

  @Test
  void withoutSettingsUpStaysAsBefore() {
    final TiergateStack.Options options = UpEnvironment.options(Map.of(), DIR, 8080, 8083);

    assertThat(options.replyTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.simulatorConfig().latency()).isZero();
    assertThat(options.inProcessDispatcher()).isTrue();
  }

  @Test
  void replyTimeoutTakesIsoDurationsAndRejectsNonsense() {
    assertThat(UpEnvironment.replyTimeout(Map.of("TIERGATE_REPLY_TIMEOUT", "PT5S"))).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> UpEnvironment.replyTimeout(Map.of("TIERGATE_REPLY_TIMEOUT", "soon")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpEnvironment.replyTimeout(Map.of("TIERGATE_REPLY_TIMEOUT", "0")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
