package dev.tiergate.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.openai.OpenAiChatNormalizer;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Key lookups: the bootstrap keys, then the managed keys read live from their compacted topic. */
class KeyDirectoryTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String KEY = "tg-live-key";

  private final PacedMockConsumer<VirtualKey> consumer =
      new PacedMockConsumer<>(Topics.VIRTUAL_KEYS.name(), 1);
  private final LiveTable<VirtualKey> table =
      new LiveTable<>(consumer, Topics.VIRTUAL_KEYS.name());
  private final KeyDirectory keys =
      new KeyDirectory(VirtualKeys.parse(VirtualKeys.DEFAULT_SPEC), table);

  @AfterEach
  void close() {
    table.close();
  }

  private static VirtualKey row(final boolean revoked) {
    return VirtualKey.newBuilder()
        .setKeyHash(VirtualKeys.hash(KEY))
        .setKeyPrefix("tg-live-")
        .setTenant("acme")
        .setDefaultTier("free")
        .setAllowedTiers(List.of("free"))
        .setRevoked(revoked)
        .setCreatedAt(Fixtures.NOW)
        .build();
  }

  private boolean authenticates() {
    return keys.authenticate(Map.of("authorization", "Bearer " + KEY)::get).isPresent();
  }

  @Test
  void aManagedKeyAuthenticatesUntilItIsRevokedOrDeleted() {
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(Topics.VIRTUAL_KEYS.name(), 0), 0L));
    table.start();

    consumer.feed(VirtualKeys.hash(KEY), row(false));
    await().atMost(WAIT).until(this::authenticates);
    assertThat(keys.authenticate(Map.of("x-api-key", KEY)::get))
        .hasValueSatisfying(
            caller -> {
              assertThat(caller.tenant()).isEqualTo("acme");
              assertThat(caller.defaultTier()).isEqualTo(Tier.FREE);
              assertThat(caller.allows(Tier.FRONTIER)).isFalse();
            });

    consumer.feed(VirtualKeys.hash(KEY), row(true));
    await().atMost(WAIT).until(() -> !authenticates());

    consumer.feed(VirtualKeys.hash(KEY), row(false));
    await().atMost(WAIT).until(this::authenticates);
    consumer.feed(VirtualKeys.hash(KEY), null);
    await().atMost(WAIT).until(() -> table.isEmpty());
    assertThat(authenticates()).isFalse();
    assertThat(table.isAlive()).isTrue();
  }

  @Test
  void aKeysStrongShareKnobReachesTheCallerAndTheRequest() throws Exception {
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(Topics.VIRTUAL_KEYS.name(), 0), 0L));
    table.start();

    consumer.feed(VirtualKeys.hash(KEY), VirtualKey.newBuilder(row(false)).setStrongShare(0.15).build());
    await().atMost(WAIT).until(this::authenticates);
    final Caller caller = keys.authenticate(Map.of("x-api-key", KEY)::get).orElseThrow();
    final ChatRequest request = new OpenAiChatNormalizer(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC))
        .normalize(new ObjectMapper().readTree(
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            caller, name -> null);

    assertThat(caller.strongShare()).isEqualTo(0.15);
    assertThat(request.getStrongShare()).isEqualTo(0.15);
    assertThat(keys.authenticate(Map.of("x-api-key", "tg-demo-key")::get))
        .as("a key without the knob").hasValueSatisfying(c -> assertThat(c.strongShare()).isNull());
  }

  @Test
  void staticBootstrapKeysStillAuthenticate() {
    assertThat(keys.authenticate(Map.of("authorization", "Bearer tg-demo-key")::get))
        .hasValueSatisfying(caller -> assertThat(caller.tenant()).isEqualTo("demo"));
    assertThat(keys.authenticate(Map.of("authorization", "Bearer nope")::get)).isEmpty();
  }
}
