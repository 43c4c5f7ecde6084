package dev.tiergate.accounting.batch;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.ExactlyOnceStreams;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings of the batch-progress stream, each declared once below and read from
 * environment-style variables (docs/batch.md's table is rendered from them). It counts money
 * (batch spend), so like accounting it always runs {@code exactly_once_v2}; it has its own
 * application id so it can be deployed, scaled and reset apart from the spend stream.
 */
@EntryPoint
public record BatchConfig(
    KafkaSettings kafka,
    String applicationId,
    Optional<Path> stateDir,
    Duration commitInterval,
    Duration closeTimeout,
    Duration dedupRetention) {

  public static final Setting<String> APP_ID = Setting.text("TIERGATE_BATCH_APP_ID")
      .withDefault("tiergate-batches").withDescription("Streams application id");
  /**
   * A second, where accounting's is 200 ms: progress is followed by a person or a script, for whom
   * a second is prompt. The main consumer's fetch waits a commit interval, at most 500 ms ({@code
   * ExactlyOnceStreams}), so the idle app fetches twice a second instead of five times, and the
   * busy one commits a transaction a second instead of five (docs/benchmarks.md).
   */
  public static final Setting<Duration> COMMIT_INTERVAL =
      Setting.millis("TIERGATE_BATCH_COMMIT_INTERVAL_MS").withDefault(Duration.ofSeconds(1))
          .atLeast(1).withDescription("Streams commit interval; bounds how stale progress is");
  public static final Setting<Duration> CLOSE_TIMEOUT =
      Setting.millis("TIERGATE_BATCH_CLOSE_TIMEOUT_MS").withDefault(Duration.ofSeconds(10))
          .atLeast(1).withDescription("how long `close()` waits");
  public static final Setting<Duration> DEDUP_RETENTION =
      Setting.millis("TIERGATE_BATCH_DEDUP_RETENTION_MS").withDefault(Duration.ofDays(7))
          .atLeast(1)
          .withDescription("how long an answered item is remembered to drop a redelivered answer"
              + " (7 days: the responses topic's retention)");

  /**
   * How long an idle stream thread blocks in poll (Streams' default is 100 ms). Records end a poll
   * at once; only the commit after the last record waits longer, and with it the progress that
   * {@code tiergate batch status} and {@code wait} read, by at most this. The idle thread wakes
   * twice a second instead of ten times (docs/benchmarks.md); {@code KAFKA_POLL_MS} sets another.
   */
  static final long IDLE_POLL_MS = 500L;

  /** Every setting, in the order of the table in docs/batch.md. */
  public static final List<Setting<?>> SETTINGS = List.of(
      KafkaSettings.BOOTSTRAP_SERVERS, KafkaSettings.SCHEMA_REGISTRY_URL, APP_ID,
      AccountingConfig.STATE_DIR, COMMIT_INTERVAL, CLOSE_TIMEOUT, DEDUP_RETENTION);

  public BatchConfig {
    Objects.requireNonNull(kafka, "kafka");
    Settings.requireText(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Settings.requirePositive(commitInterval, "commitInterval");
    Settings.requirePositive(closeTimeout, "closeTimeout");
    Settings.requirePositive(dedupRetention, "dedupRetention");
  }

  /** Reads the settings; fails fast on a missing or malformed value. */
  public static BatchConfig fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    return new BatchConfig(
        KafkaSettings.fromEnv(env),
        settings.get(APP_ID),
        settings.find(AccountingConfig.STATE_DIR),
        settings.get(COMMIT_INTERVAL),
        settings.get(CLOSE_TIMEOUT),
        settings.get(DEDUP_RETENTION));
  }

  /** A fresh copy of the Streams properties; the caller may change it. */
  public Properties streamsProperties() {
    return kafka.clientProperties(
        Map.of(StreamsConfig.POLL_MS_CONFIG, IDLE_POLL_MS),
        ExactlyOnceStreams.overrides(
            applicationId, commitInterval, stateDir, SkipUndecodableHandler.class));
  }
}
