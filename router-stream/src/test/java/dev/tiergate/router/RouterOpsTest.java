package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.runtime.OpsServer;
import dev.tiergate.schemas.RoutingDecision;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** What the router's ops endpoint ({@link OpsServer}) reports: its decision counters and health. */
class RouterOpsTest {

  @Test
  void countsDecisionsAndErrorsInPrometheusFormat() {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final RouterMetrics metrics = new RouterMetrics(registry);
    metrics.routed(decision("frontier", true));
    metrics.error("insufficient_quota");

    assertThat(registry.scrape())
        .contains("tiergate_router_decisions_total{source=\"predicted\",tier=\"frontier\"} 1.0")
        .contains("tiergate_router_errors_total{stage=\"route\",type=\"insufficient_quota\"} 1.0");
  }

  @Test
  void isHealthyWhileRunningOrRebalancingOnly() {
    assertThat(RouterService.healthOf(State.RUNNING).up()).isTrue();
    assertThat(RouterService.healthOf(State.REBALANCING).up()).isTrue();
    assertThat(RouterService.healthOf(State.ERROR)).isEqualTo(new OpsServer.Health(false, "ERROR"));
    assertThat(RouterService.healthOf(State.PENDING_SHUTDOWN).up()).isFalse();
  }

  private static RoutingDecision decision(final String tier, final boolean predicted) {
    return RoutingDecision.newBuilder()
        .setModelChain(List.of("openai/gpt-5"))
        .setTier(tier)
        .setMode("none")
        .setRuleKey(tier + "/*")
        .setReason("test")
        .setPredicted(predicted)
        .setParams(Map.of())
        .setRoutedAt(Instant.EPOCH)
        .build();
  }
}
