package dev.tiergate.accounting;

import dev.tiergate.schemas.BusLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;

/**
 * The Streams properties the two apps that count money (accounting and batch progress) share:
 * {@code exactly_once_v2}, which is not configurable, topology optimisation, the bus's record size,
 * {@link DeadLetterProductionHandler} for an output that cannot be produced, and reads and writes
 * batched per commit interval: neither app is on a client's request path, and under exactly-once
 * nothing they write is visible before its commit anyway.
 */
public final class ExactlyOnceStreams {

  /**
   * The longest a fetch of the main consumer waits for {@link #FETCH_MIN_BYTES}: Kafka's default,
   * so a long commit interval never holds a fetch (and a close waiting for it) longer than before.
   * At the default 200 ms commit interval an idle app fetches every 200 ms, not every 500 ms: the
   * price, in idle CPU, of keeping each hop through the app within one commit interval.
   */
  static final Duration MAX_FETCH_WAIT = Duration.ofMillis(500);
  /**
   * What a fetch of the main consumer waits for: more than a commit interval's usage at a few
   * hundred requests a second, so at such rates the broker answers once per wait, not on every
   * transaction of the dispatcher (each woke both apps' fetches: docs/benchmarks.md, broker
   * requests per request). A backlog fills it at once.
   */
  static final int FETCH_MIN_BYTES = 64 * 1024;

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
    overrides.putAll(batchedPerCommit(commitInterval));
    stateDir.ifPresent(dir -> overrides.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    return overrides;
  }

  /**
   * The producer holds records until the commit flushes them (one produce request per commit
   * rather than one per linger of Streams' default 100 ms); the main consumer's fetch waits up
   * to a commit interval (at most {@link #MAX_FETCH_WAIT}) for {@link #FETCH_MIN_BYTES}. Each hop
   * through the app may so take a fetch wait longer: accounting-stream/README.md states what that
   * does to how stale spend and budget states can be.
   */
  static Map<String, Object> batchedPerCommit(final Duration commitInterval) {
    // fetch.max.wait.ms is an int property: a Long fails the consumer's construction.
    final int fetchWait =
        (int) Math.min(commitInterval.toMillis(), MAX_FETCH_WAIT.toMillis());
    return Map.of(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), commitInterval.toMillis(),
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), fetchWait,
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), FETCH_MIN_BYTES);
  }
}
