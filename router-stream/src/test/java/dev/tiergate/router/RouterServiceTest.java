package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lifecycle without a broker: the bounds of start and close. Routing against a real cluster is
 * covered by the launcher's end-to-end tests.
 */
class RouterServiceTest {

  @TempDir Path stateDir;

  /**
   * Port 1 on loopback: nothing listens, so loading the routing table fails once the client's
   * timeouts (shortened here) run out.
   */
  private RouterConfig unreachable(final Duration loadTimeout, final Duration startTimeout) {
    final String millis = Long.toString(loadTimeout.toMillis());
    final KafkaSettings kafka =
        new KafkaSettings(
            "127.0.0.1:1",
            "http://127.0.0.1:1",
            Map.of(
                StreamsConfig.TASK_TIMEOUT_MS_CONFIG, millis,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, millis));
    return RouterConfig.defaults(kafka)
        .withApplicationId("router-service-test")
        .withStateDir(stateDir)
        .withStartTimeout(startTimeout)
        .withCloseTimeout(Duration.ofSeconds(20));
  }

  @Test
  void closeIsIdempotentAndWorksBeforeStart() {
    final RouterService service =
        new RouterService(
            unreachable(Duration.ofSeconds(1), Duration.ofSeconds(1)), SerdeFactory.schemaless());
    assertThat(service.state()).isEqualTo(State.CREATED);

    service.close();
    service.close();

    assertThat(service.state()).isEqualTo(State.NOT_RUNNING);
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void startReturnsAfterBoundedWaitWhileTableCannotLoad() {
    final RouterService service =
        new RouterService(
            unreachable(Duration.ofSeconds(3), Duration.ofMillis(200)), SerdeFactory.schemaless());

    service.start();

    assertThat(service.state()).isEqualTo(State.REBALANCING);
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
    service.close();
    assertThat(service.state().isRunningOrRebalancing()).isFalse();
  }

  @Test
  void startFailsWhenRoutingTableCannotLoad() {
    try (RouterService service =
        new RouterService(
            unreachable(Duration.ofMillis(500), Duration.ofSeconds(60)),
            SerdeFactory.schemaless())) {

      assertThatThrownBy(service::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("failed to start");
    }
  }
}
