package dev.tiergate.launcher.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchConnectionTest {

  @TempDir Path dir;

  @Test
  void readsTheClusterThatUpWroteWhenTheEnvironmentNamesNone() {
    BatchConnection.writeStackEnv(dir, KafkaSettings.of("127.0.0.1:9999", "http://127.0.0.1:8888"));

    final KafkaSettings settings = BatchConnection.settings(Map.of(), dir);

    assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9999");
    assertThat(settings.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8888");
  }

  @Test
  void theEnvironmentWinsOverStackEnv() {
    BatchConnection.writeStackEnv(dir, KafkaSettings.of("127.0.0.1:9999", "http://127.0.0.1:8888"));

    final KafkaSettings settings =
        BatchConnection.settings(Map.of(KafkaSettings.BOOTSTRAP_ENV, "broker:9092"), dir);

    assertThat(settings.bootstrapServers()).isEqualTo("broker:9092");
    assertThat(settings.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8888");
  }

  @Test
  void failsWithAHintWhenNoClusterIsKnownAndDeleteRemovesTheFile() {
    BatchConnection.writeStackEnv(dir, KafkaSettings.of("a:1", "http://b:2"));
    BatchConnection.deleteStackEnv(dir);

    assertThat(Files.exists(dir.resolve(BatchConnection.STACK_ENV))).isFalse();
    assertThatThrownBy(() -> BatchConnection.settings(Map.of(), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tiergate up");
  }
}
