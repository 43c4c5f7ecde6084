package dev.tiergate.accounting.batch;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings of the batch-progress stream, read from environment-style variables. It counts money
 * (batch spend), so like accounting it always runs {@code exactly_once_v2}; it has its own
 * application id so it can be deployed, scaled and reset apart from the spend stream.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL}: required; other {@code KAFKA_*}
 *       pass through.
 *   <li>{@code TIERGATE_BATCH_APP_ID}: default {@value #DEFAULT_APP_ID}.
 *   <li>{@code TIERGATE_STATE_DIR}: Streams state directory, default Streams' own.
 *   <li>{@code TIERGATE_BATCH_COMMIT_INTERVAL_MS}: default 200; bounds how stale progress is.
 *   <li>{@code TIERGATE_BATCH_CLOSE_TIMEOUT_MS}: default 10000.
 *   <li>{@code TIERGATE_BATCH_DEDUP_RETENTION_MS}: how long an answered item is remembered to drop
 *       a redelivered answer, default 7 days (the responses topic's retention).
 * </ul>
 */
@EntryPoint
public record BatchConfig(
    KafkaSettings kafka,
    String applicationId,
    Optional<Path> stateDir,
    Duration commitInterval,
    Duration closeTimeout,
    Duration dedupRetention) {

  public static final String APP_ID_ENV = "TIERGATE_BATCH_APP_ID";
  public static final String STATE_DIR_ENV = "TIERGATE_STATE_DIR";
  public static final String COMMIT_INTERVAL_ENV = "TIERGATE_BATCH_COMMIT_INTERVAL_MS";
  public static final String CLOSE_TIMEOUT_ENV = "TIERGATE_BATCH_CLOSE_TIMEOUT_MS";
  public static final String DEDUP_RETENTION_ENV = "TIERGATE_BATCH_DEDUP_RETENTION_MS";

  public static final String DEFAULT_APP_ID = "tiergate-batches";
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(7);

  public BatchConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    requirePositive(commitInterval, "commitInterval");
    requirePositive(closeTimeout, "closeTimeout");
    requirePositive(dedupRetention, "dedupRetention");
    if (applicationId.isBlank()) {
      throw new IllegalArgumentException("applicationId must not be blank");
    }
  }

  /** Reads the settings; fails fast on a missing or malformed value. */
  public static BatchConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new BatchConfig(
        KafkaSettings.fromEnv(env),
        env.getOrDefault(APP_ID_ENV, DEFAULT_APP_ID),
        Optional.ofNullable(env.get(STATE_DIR_ENV)).filter(dir -> !dir.isBlank()).map(Path::of),
        millis(env, COMMIT_INTERVAL_ENV, DEFAULT_COMMIT_INTERVAL),
        millis(env, CLOSE_TIMEOUT_ENV, DEFAULT_CLOSE_TIMEOUT),
        millis(env, DEDUP_RETENTION_ENV, DEFAULT_DEDUP_RETENTION));
  }

  /** A fresh copy of the Streams properties; the caller may change it. */
  public Properties streamsProperties() {
    final Map<String, Object> overrides = new HashMap<>();
    overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    overrides.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    overrides.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    overrides.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        SkipUndecodableHandler.class.getName());
    overrides.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        dev.tiergate.accounting.DeadLetterProductionHandler.class.getName());
    overrides.put(StreamsConfig.producerPrefix(BusLimits.MAX_REQUEST_SIZE_CONFIG),
        BusLimits.MAX_RECORD_BYTES);
    stateDir.ifPresent(dir -> overrides.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    return kafka.clientProperties(overrides);
  }

  private static Duration millis(
      final Map<String, String> env, final String name, final Duration fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Duration.ofMillis(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: " + value, e);
    }
  }

  private static void requirePositive(final Duration duration, final String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
  }
}
