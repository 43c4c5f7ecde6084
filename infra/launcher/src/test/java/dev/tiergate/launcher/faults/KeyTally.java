package dev.tiergate.launcher.faults;

import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Counts, as they arrive, the committed records per key with a given prefix on a topic keyed by
 * correlation id ({@code tiergate.responses}, {@code tiergate.usage}), read from the beginning, so a
 * test sees both missing and duplicated ids without decoding a value.
 */
final class KeyTally implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final String keyPrefix;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;

  KeyTally(final KafkaSettings kafka, final String topic, final String keyPrefix) {
    Objects.requireNonNull(kafka, "kafka");
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    this.consumer =
        new KafkaConsumer<>(
            kafka.clientProperties(
                Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.CLIENT_ID_CONFIG, "fault-suite-tally-" + topic)),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    final var partitions =
        consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::run, "fault-suite-tally-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!closed.get()) {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (record.key() != null && record.key().startsWith(keyPrefix)) {
            counts.computeIfAbsent(record.key(), k -> new AtomicInteger()).incrementAndGet();
          }
        });
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  /** Distinct keys seen so far. */
  int distinct() {
    return counts.size();
  }

  /** Keys seen more than once, with their counts. */
  Map<String, Integer> duplicates() {
    final Map<String, Integer> result = new java.util.TreeMap<>();
    counts.forEach((key, count) -> {
      if (count.get() > 1) {
        result.put(key, count.get());
      }
    });
    return result;
  }

  int total() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Override
  public void close() throws InterruptedException {
    if (closed.compareAndSet(false, true)) {
      consumer.wakeup();
      thread.join(10_000);
    }
  }
}
