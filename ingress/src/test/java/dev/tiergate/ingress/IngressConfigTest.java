package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngressConfigTest {

  private static final String[] CLUSTER = {
    "KAFKA_BOOTSTRAP_SERVERS", "broker:9092", "SCHEMA_REGISTRY_URL", "http://registry:8081"
  };

  @Test
  void appliesDocumentedDefaults() {
    final IngressConfig config = IngressConfig.fromEnv(Fixtures.env(CLUSTER));

    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.metricsPort()).isEqualTo(9080);
    assertThat(config.replyTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.maxPending()).isEqualTo(10_000);
    assertThat(config.maxRequestBytes()).isEqualTo(10 * 1024 * 1024);
    assertThat(config.virtualKeys().size()).isZero();
    assertThat(config.virtualKeys().authenticate("tg-demo-key")).isEmpty();
    assertThat(config.kafka().bootstrapServers()).isEqualTo("broker:9092");
  }

  @Test
  void theDemoKeyExistsOnlyInDemoModeWithoutKeysOfItsOwn() {
    final IngressConfig demo = IngressConfig.fromEnv(
        Fixtures.env(CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_DEMO", "true"));
    final IngressConfig demoWithKeys = IngressConfig.fromEnv(Fixtures.env(
        CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_DEMO", "true", "TIERGATE_VIRTUAL_KEYS", "k=t:small"));
    final IngressConfig notDemo = IngressConfig.fromEnv(
        Fixtures.env(CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_DEMO", "no"));

    assertThat(demo.virtualKeys().authenticate("tg-demo-key")).isPresent();
    assertThat(demoWithKeys.virtualKeys().authenticate("tg-demo-key")).isEmpty();
    assertThat(notDemo.virtualKeys().authenticate("tg-demo-key")).isEmpty();
  }

  @Test
  void readsEverySetting() {
    final IngressConfig config =
        IngressConfig.fromEnv(
            Fixtures.env(
                CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3],
                "TIERGATE_INGRESS_PORT", "0",
                "TIERGATE_REPLY_TIMEOUT", "PT2S",
                "TIERGATE_MAX_PENDING", "5",
                "TIERGATE_MAX_REQUEST_BYTES", "1024",
                "TIERGATE_VIRTUAL_KEYS", "k=t:small",
                "TIERGATE_INGRESS_METRICS_PORT", "-1"));

    assertThat(config.port()).isZero();
    assertThat(config.metricsPort()).isEqualTo(IngressConfig.NO_METRICS_PORT);
    assertThat(config.replyTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.maxPending()).isEqualTo(5);
    assertThat(config.maxRequestBytes()).isEqualTo(1024);
    assertThat(config.virtualKeys().authenticate("k")).map(c -> c.tenant() + ":" + c.defaultTier())
        .contains("t:SMALL");
  }

  @Test
  void readsReplyTimeoutAsMilliseconds() {
    final IngressConfig config =
        IngressConfig.fromEnv(
            Fixtures.env(CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_REPLY_TIMEOUT", "1500"));

    assertThat(config.replyTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void failsFastOnMissingClusterOrBadValues() {
    assertThatThrownBy(() -> IngressConfig.fromEnv(Fixtures.env()))
        .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    assertThatThrownBy(
            () ->
                IngressConfig.fromEnv(
                    Fixtures.env(CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_MAX_PENDING", "lots")))
        .hasMessageContaining("TIERGATE_MAX_PENDING");
    assertThatThrownBy(
            () ->
                IngressConfig.fromEnv(
                    Fixtures.env(CLUSTER[0], CLUSTER[1], CLUSTER[2], CLUSTER[3], "TIERGATE_REPLY_TIMEOUT", "soon")))
        .hasMessageContaining("TIERGATE_REPLY_TIMEOUT");
  }
}
