package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.ingress.auth.NoVirtualKeysException;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starting without keys outside demo mode, and readiness while the tables are read. */
class IngressStartupHttpTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-managed-key";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private IngressService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private IngressService service(
      final VirtualKeys bootstrap, final LiveTable<VirtualKey> keys, final LiveTable<ModelSpec> models) {
    service = Fixtures.service(Fixtures.config().withVirtualKeys(bootstrap), Fixtures.producer(),
        Fixtures.responseConsumer(), Fixtures.chunkConsumer(), keys, models);
    return service;
  }

  @Test
  void refusesToStartWithoutBootstrapKeysWhenNoManagedKeyIsUsable() {
    final IngressService noKeys = service(VirtualKeys.none(),
        LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of(VirtualKeys.hash(KEY), key(true))),
        LiveTable.fixed(Topics.MODELS.name(), Map.of()));

    assertThatThrownBy(noKeys::start)
        .isInstanceOf(NoVirtualKeysException.class)
        .hasMessageContaining("TIERGATE_VIRTUAL_KEYS")
        .hasMessageContaining("TIERGATE_DEMO=true")
        .hasMessageNotContaining("\n");
  }

  @Test
  void startsWithManagedKeysAlone() throws Exception {
    service(VirtualKeys.none(),
        LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of(VirtualKeys.hash(KEY), key(false))),
        LiveTable.fixed(Topics.MODELS.name(), Map.of())).start();

    assertThat(get("/v1/models", KEY).statusCode()).isEqualTo(200);
    assertThat(get("/v1/models", "tg-demo-key").statusCode()).isEqualTo(401);
  }

  @Test
  void isNotReadyAndServesNoChatUntilTheCatalogueIsRead() throws Exception {
    final PacedMockConsumer<ModelSpec> catalogue = new PacedMockConsumer<>(Topics.MODELS.name(), 1);
    final TopicPartition partition = new TopicPartition(Topics.MODELS.name(), 0);
    catalogue.updateBeginningOffsets(Map.of(partition, 0L));
    catalogue.updateEndOffsets(Map.of(partition, 1L));
    service(VirtualKeys.parse("k=acme:small"),
        LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of()),
        new LiveTable<>(catalogue, Topics.MODELS.name())).start();

    assertThat(get("/ready", null).statusCode()).isEqualTo(503);
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
    final HttpResponse<String> early = chat("k");
    assertThat(early.statusCode()).isEqualTo(503);
    assertThat(early.body()).contains("not_ready");

    catalogue.feed(Fixtures.SERVED_MODEL, model(Fixtures.SERVED_MODEL));
    assertThat(service.awaitReady(WAIT)).isTrue();
    assertThat(get("/ready", null).statusCode()).isEqualTo(200);
    assertThat(client.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + service.metricsPort() + "/ready")).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(final String path, final String key) throws Exception {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).timeout(WAIT);
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(final String key) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/v1/chat/completions"))
            .timeout(WAIT)
            .header("authorization", "Bearer " + key)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static VirtualKey key(final boolean revoked) {
    return VirtualKey.newBuilder()
        .setKeyHash(VirtualKeys.hash(KEY)).setKeyPrefix("tg-man").setTenant("acme")
        .setDefaultTier("small").setAllowedTiers(List.of("small")).setRevoked(revoked)
        .setCreatedAt(Fixtures.NOW).build();
  }

  private static ModelSpec model(final String id) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider("openai").setUpstreamModel(id.substring(7)).setFamily("gpt-5")
        .setInputMicrosPerMillion(1L).setOutputMicrosPerMillion(1L).setContextWindow(400_000)
        .build();
  }
}
