package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackEnvTest {

  @TempDir Path dir;

  @Test
  void readsTheClusterThatUpWroteWhenTheEnvironmentNamesNone() {
    StackEnv.write(dir, KafkaSettings.of("127.0.0.1:9999", "http://127.0.0.1:8888"));

    final KafkaSettings settings = StackEnv.settings(Map.of(), dir);

    assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9999");
    assertThat(settings.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8888");
  }

  @Test
  void theEnvironmentWinsOverStackEnv() {
    StackEnv.write(dir, KafkaSettings.of("127.0.0.1:9999", "http://127.0.0.1:8888"));

    final KafkaSettings settings =
        StackEnv.settings(Map.of(KafkaSettings.BOOTSTRAP_ENV, "broker:9092"), dir);

    assertThat(settings.bootstrapServers()).isEqualTo("broker:9092");
    assertThat(settings.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8888");
  }

  @Test
  void failsWithAHintWhenNoClusterIsKnownAndDeleteRemovesTheFile() {
    StackEnv.write(dir, KafkaSettings.of("a:1", "http://b:2"));
    StackEnv.delete(dir);

    assertThat(Files.exists(dir.resolve(StackEnv.STACK_ENV))).isFalse();
    assertThatThrownBy(() -> StackEnv.settings(Map.of(), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tiergate up");
  }
}
