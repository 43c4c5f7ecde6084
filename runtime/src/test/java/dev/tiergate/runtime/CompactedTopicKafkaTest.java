package dev.tiergate.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import dev.tiergate.stack.EmbeddedKafka;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One-shot reads and writes of a compacted topic on a real broker. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CompactedTopicKafkaTest {

  private static final Topic<byte[]> TABLE = new Topic<>(
      "tiergate.compacted-test", byte[].class, 3, Topic.CleanupPolicy.COMPACT, Optional.empty());
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafka kafka;
  private static KafkaSettings settings;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
    settings = KafkaSettings.of(kafka.bootstrapServers(), "http://registry.invalid");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TABLE.name(), TABLE.partitions(), (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void readsTheLatestValuePerKeyWithoutTheDeletedOnesSortedByKey() {
    final Map<String, byte[]> first = new LinkedHashMap<>();
    first.put("zeta", bytes("1"));
    first.put("alpha", bytes("2"));
    first.put("mid", bytes("3"));
    CompactedTopic.write(settings, TABLE, first, TIMEOUT);
    CompactedTopic.write(settings, TABLE, Map.of("zeta", bytes("4")), TIMEOUT);
    CompactedTopic.write(settings, TABLE, Collections.singletonMap("mid", null), TIMEOUT);

    final Map<String, byte[]> table = CompactedTopic.read(settings, TABLE, TIMEOUT);

    assertThat(table.keySet()).containsExactly("alpha", "zeta");
    assertThat(new String(table.get("alpha"), UTF_8)).isEqualTo("2");
    assertThat(new String(table.get("zeta"), UTF_8)).isEqualTo("4");
  }

  @Test
  void readsATopicTheClusterDoesNotKnowAsEmpty() {
    final Topic<byte[]> missing = new Topic<>(
        "tiergate.never-created", byte[].class, 1, Topic.CleanupPolicy.COMPACT, Optional.empty());

    assertThat(CompactedTopic.read(settings, missing, TIMEOUT)).isEmpty();
  }

  private static byte[] bytes(final String text) {
    return text.getBytes(UTF_8);
  }
}
