package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.runtime.StreamsRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process stack builds its three Streams apps at once on starter threads, all under one
 * base state directory (a CI run once failed with "base state directory ... couldn't be created").
 */
class SharedStateDirectoryTest {

  private static final int ROUNDS = 20;
  private static final int APPS = 3;

  @TempDir Path dir;

  @Test
  void streamsAppsBuiltAtOnceAllFindTheStateDirectory() throws Exception {
    final List<Throwable> failures = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      final Path stateDir = dir.resolve("round-" + round).resolve("streams");
      TiergateStack.createSharedStateDirectory(
          Map.of(StreamsRunner.STATE_DIR.name(), stateDir.toString()));
      failures.addAll(buildAtOnce(stateDir));
    }
    assertThat(failures).isEmpty();
  }

  private static List<Throwable> buildAtOnce(final Path stateDir) throws Exception {
    final CyclicBarrier together = new CyclicBarrier(APPS);
    final List<CompletableFuture<Throwable>> builds = new ArrayList<>();
    for (int app = 0; app < APPS; app++) {
      final String applicationId = "app-" + app;
      builds.add(CompletableFuture.supplyAsync(() -> {
        try {
          together.await();
          new KafkaStreams(tableTopology(), properties(applicationId, stateDir)).close();
          return null;
        } catch (Exception e) {
          return e;
        }
      }));
    }
    final List<Throwable> failures = new ArrayList<>();
    for (final CompletableFuture<Throwable> build : builds) {
      final Throwable failure = build.get();
      if (failure != null) {
        failures.add(failure);
      }
    }
    return failures;
  }

  /** A table with a persistent store: only then does Streams create the state directory. */
  private static Topology tableTopology() {
    final StreamsBuilder builder = new StreamsBuilder();
    builder.table("input", Consumed.with(Serdes.String(), Serdes.String()),
        Materialized.as("store"));
    return builder.build();
  }

  private static Properties properties(final String applicationId, final Path stateDir) {
    final Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    // Nothing listens here: building an app does not connect.
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return properties;
  }
}
