package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.stack.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's lifecycle when no broker answers: start is bounded and queries say 503. */
class AccountingServiceTest {

  @TempDir Path stateDir;

  @Test
  void startReturnsAfterTheBoundedWaitAndAnswers503UntilRunning() throws Exception {
    final AccountingConfig config =
        AccountingConfig.defaults(KafkaSettings.of("127.0.0.1:" + FreePorts.pick(), "http://127.0.0.1:1"))
            .withHost("127.0.0.1")
            .withPort(0)
            .withStateDir(stateDir)
            .withStartTimeout(Duration.ofMillis(500))
            .withCloseTimeout(Duration.ofSeconds(1));
    final AccountingService service = new AccountingService(config, SerdeFactory.schemaless());
    final int port;
    try {
      service.start();
      port = service.port();

      assertThat(service.state()).isNotEqualTo(KafkaStreams.State.RUNNING);
      assertThat(get(service.port(), "/health").statusCode()).isEqualTo(503);
      final HttpResponse<String> spend = get(service.port(), "/v1/spend?tenant=t");
      assertThat(spend.statusCode()).isEqualTo(503);
      assertThat(spend.body()).contains("accounting stream is");
      assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
    } finally {
      service.close();
    }
    // Idempotent; and bounded even though the global table never loaded.
    service.close();
    assertThat(service.state())
        .isIn(KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING);
    assertThatThrownBy(() -> get(port, "/health")).isInstanceOf(IOException.class);
  }

  @Test
  void refusesToStartWithoutStaticKeysWhenTheManagedKeysCannotBeRead() throws Exception {
    final AccountingConfig config =
        AccountingConfig.defaults(KafkaSettings.of("127.0.0.1:" + FreePorts.pick(), "http://127.0.0.1:1"))
            .withHost("127.0.0.1")
            .withPort(0)
            .withStateDir(stateDir)
            .withStartTimeout(Duration.ofMillis(500))
            .withCloseTimeout(Duration.ofSeconds(1))
            .withVirtualKeys("");
    try (AccountingService service = new AccountingService(config, SerdeFactory.schemaless())) {
      assertThatThrownBy(service::start)
          .isInstanceOf(NoVirtualKeysException.class)
          .hasMessageContaining("TIERGATE_VIRTUAL_KEYS");
    }
  }

  private static HttpResponse<String> get(final int port, final String path)
      throws IOException, InterruptedException {
    final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer tg-demo-key")
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
