package dev.tiergate.launcher;

import dev.tiergate.schemas.KafkaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the CLI's commands find the cluster: {@code KAFKA_BOOTSTRAP_SERVERS} and {@code
 * SCHEMA_REGISTRY_URL} from the environment (plus any {@code KAFKA_*} pass-through), else the same
 * names in {@code .tiergate/stack.env}, which {@code tiergate up} writes for the stack it runs. So a
 * second terminal in the same directory needs no setup.
 */
public final class StackEnv {

  /** Relative to the working directory; git-ignored. */
  public static final Path STACK_ENV = Path.of(".tiergate", "stack.env");

  /** The directory the CLI was started in, where {@code tiergate up} writes {@link #STACK_ENV}. */
  public static final Path WORKING_DIR = Path.of("");

  private StackEnv() {}

  public static KafkaSettings settings(final Map<String, String> env, final Path workingDir) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(workingDir, "workingDir");
    final Map<String, String> merged = new HashMap<>(read(workingDir.resolve(STACK_ENV)));
    env.forEach((name, value) -> {
      if (value != null && !value.isBlank()) {
        merged.put(name, value);
      }
    });
    if (!merged.containsKey(KafkaSettings.BOOTSTRAP_ENV)) {
      throw new IllegalArgumentException(
          "no cluster: set " + KafkaSettings.BOOTSTRAP_ENV + " and " + KafkaSettings.REGISTRY_ENV
              + ", or run 'tiergate up' in this directory (it writes " + STACK_ENV + ")");
    }
    return KafkaSettings.fromEnv(merged);
  }

  /** {@code NAME=value} lines; blank lines and {@code #} comments are skipped. */
  static Map<String, String> read(final Path file) {
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    final Map<String, String> values = new HashMap<>();
    try {
      for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        final String trimmed = line.trim();
        final int equals = trimmed.indexOf('=');
        if (trimmed.isEmpty() || trimmed.startsWith("#") || equals < 1) {
          continue;
        }
        values.put(trimmed.substring(0, equals).trim(), trimmed.substring(equals + 1).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return values;
  }

  /** Writes the cluster's address for later commands; what {@code tiergate up} calls. */
  public static void write(final Path workingDir, final KafkaSettings kafka) {
    final Path file = workingDir.resolve(STACK_ENV);
    final String content =
        "# Written by 'tiergate up'; read by the other tiergate commands. Removed when the stack stops.\n"
            + KafkaSettings.BOOTSTRAP_ENV + "=" + kafka.bootstrapServers() + "\n"
            + KafkaSettings.REGISTRY_ENV + "=" + kafka.schemaRegistryUrl() + "\n";
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Removes the file {@link #write} wrote, so no command talks to a stopped stack. */
  public static void delete(final Path workingDir) {
    try {
      Files.deleteIfExists(workingDir.resolve(STACK_ENV));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + workingDir.resolve(STACK_ENV), e);
    }
  }
}
