package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's lifecycle: restart on the same data, idempotent concurrent close. */
class EmbeddedKafkaTest {

  @TempDir Path dataDir;

  @Test
  void keepsTopicsAcrossARestartOnTheSameDataDirectory() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir)) {
      try (Admin admin = admin(kafka)) {
        admin.createTopics(List.of(new NewTopic("restart-check", 2, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    }

    try (EmbeddedKafka restarted = EmbeddedKafka.start(dataDir);
        Admin admin = admin(restarted)) {
      final Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertThat(names).contains("restart-check");
    }
  }

  @Test
  void closesOnceWhenClosedConcurrently() throws Exception {
    final EmbeddedKafka kafka = EmbeddedKafka.start();
    final Path tempDir = kafka.dataDir();

    final CompletableFuture<Void> hook = CompletableFuture.runAsync(kafka::close);
    kafka.close();
    hook.get(60, TimeUnit.SECONDS);
    kafka.close();

    assertThat(tempDir).doesNotExist();
  }

  private static Admin admin(final EmbeddedKafka kafka) {
    return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
  }
}
