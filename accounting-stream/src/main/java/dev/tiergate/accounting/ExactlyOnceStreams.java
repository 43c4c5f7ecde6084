package dev.tiergate.accounting;

import dev.tiergate.schemas.BusLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;

/**
 * The Streams properties the two apps that count money (accounting and batch progress) share:
 * {@code exactly_once_v2}, which is not configurable, topology optimisation, the bus's record size,
 * and {@link DeadLetterProductionHandler} for an output that cannot be produced.
 */
public final class ExactlyOnceStreams {

  private ExactlyOnceStreams() {}

  /**
   * What such an app sets over the {@code KAFKA_*} pass-through: a fresh map the caller may add to
   * before handing it to {@code KafkaSettings.clientProperties(Map)}.
   *
   * @param stateDir empty for the Streams default
   * @param deserializationHandler what the app does with a record Streams itself cannot read
   */
  public static Map<String, Object> overrides(
      final String applicationId,
      final Duration commitInterval,
      final Optional<Path> stateDir,
      final Class<? extends DeserializationExceptionHandler> deserializationHandler) {
    final Map<String, Object> overrides = new HashMap<>();
    overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, Objects.requireNonNull(applicationId));
    overrides.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    overrides.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    overrides.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        deserializationHandler.getName());
    overrides.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionHandler.class.getName());
    overrides.put(StreamsConfig.producerPrefix(BusLimits.MAX_REQUEST_SIZE_CONFIG),
        BusLimits.MAX_RECORD_BYTES);
    stateDir.ifPresent(dir -> overrides.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    return overrides;
  }
}
