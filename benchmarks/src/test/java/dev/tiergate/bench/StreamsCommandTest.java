package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.bench.load.OpenLoopRun;
import dev.tiergate.bench.load.StreamResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StreamsCommandTest {

  @Test
  void asksForAReplyThatStreamsForTheHoldTime() {
    // 40 events of 500 ms: role, 36 content chunks of 3 words, finish, usage, [DONE].
    assertThat(StreamsCommand.wordsFor(Duration.ofSeconds(20), Duration.ofMillis(500))).isEqualTo(108);
    assertThat(StreamsCommand.wordsFor(Duration.ofSeconds(1), Duration.ofMillis(500))).isEqualTo(3);
  }

  @Test
  void raisesTheDispatcherLimitsForTheStreamsButKeepsTheCallersSettings() {
    final Map<String, String> env = StreamsCommand.withStreamLimits(
        Map.of("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "100"), 5_000);

    assertThat(env)
        .containsEntry("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", "100")
        .containsEntry("TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_TENANT", "5064")
        .containsEntry("TIERGATE_DISPATCHER_MAX_CONNECTIONS", "5064")
        .containsEntry("TIERGATE_MAX_PENDING", "10000");
  }

  @Test
  void pointsTheBenchmarkProviderAtTheSimulatorApartUnlessTheCallerSaysOtherwise() {
    assertThat(StreamsCommand.throughSimulatorAt("http://127.0.0.1:4100", Map.of("A", "1")))
        .containsEntry("TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://127.0.0.1:4100/openai/v1")
        .containsEntry("A", "1");
    assertThat(StreamsCommand.throughSimulatorAt("http://127.0.0.1:4100",
            Map.of("TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://elsewhere/v1")))
        .containsEntry("TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://elsewhere/v1");
  }

  @Test
  void reportsWhatEachGatewayAddsOrWhyThatIsNotValid() {
    final Map<String, StreamResult> results = new LinkedHashMap<>();
    results.put("direct", result("direct", 200, 1_000, 0));
    results.put("tiergate", result("tiergate", 900, 1_400, 0));
    results.put("portkey", result("portkey", 300, 1_100, 1));

    assertThat(StreamsCommand.addedRow("100/s", results))
        .startsWith("| 100/s | +0.70 | +0.70 | +0.40 | +0.40 | not valid (portkey 1 failed");
    results.remove("portkey");
    assertThat(StreamsCommand.addedRow("100/s", results)).endsWith("| – | – | – | – |");
  }

  private static StreamResult result(
      final String label, final long firstMicros, final long gapMicros, final long failed) {
    final Histogram first = new Histogram(3);
    first.recordValue(firstMicros);
    final Histogram gaps = new Histogram(3);
    gaps.recordValue(gapMicros);
    return new StreamResult(
        new OpenLoopRun(label, 100, 100, 100 - failed, failed, 100),
        first, gaps, new Histogram(3), 1_000);
  }
}
