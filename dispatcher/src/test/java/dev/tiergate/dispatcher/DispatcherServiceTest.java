package dev.tiergate.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.SerdeFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lifecycle only: the real Kafka clients are built from the config and closed cleanly. */
class DispatcherServiceTest {

  private static DispatcherConfig config() {
    return DispatcherConfig.fromEnv(
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
            "SCHEMA_REGISTRY_URL", "http://127.0.0.1:1",
            "KAFKA_RECONNECT_BACKOFF_MAX_MS", "1000",
            "TIERGATE_DISPATCHER_CATCH_UP_TIMEOUT_MS", "200",
            "TIERGATE_PROVIDER_OPENAI_BASE_URL", "http://127.0.0.1:1/v1"));
  }

  @Test
  void startsWithRealClientsAndClosesIdempotently() {
    final DispatcherService service = new DispatcherService(config(), SerdeFactory.schemaless());

    service.start();
    assertThat(service.isRunning()).isTrue();
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);

    service.close();
    service.close();
    assertThat(service.isRunning()).isFalse();
    assertThat(service.failure()).isEmpty();
  }
}
