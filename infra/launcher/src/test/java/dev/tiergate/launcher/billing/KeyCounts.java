package dev.tiergate.launcher.billing;

import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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
 * Counts, as they arrive, the records per key with a given prefix on a topic keyed by correlation
 * id, read from the beginning with the given isolation level: read_committed is what accounting
 * and the ingress see; read_uncommitted also shows what aborted transactions wrote.
 */
final class KeyCounts implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final String keyPrefix;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;

  KeyCounts(final KafkaSettings kafka, final String topic, final String keyPrefix, final boolean committedOnly) {
    Objects.requireNonNull(kafka, "kafka");
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    final String isolation = committedOnly ? "read_committed" : "read_uncommitted";
    this.consumer =
        new KafkaConsumer<>(
            kafka.clientProperties(
                Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.CLIENT_ID_CONFIG, "billing-test-" + isolation + "-" + topic)),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    final var partitions =
        consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::run, "billing-test-counts-" + topic);
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

  int distinct() {
    return counts.size();
  }

  int total() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Keys seen more than once, with their counts. */
  Map<String, Integer> duplicates() {
    final Map<String, Integer> result = new TreeMap<>();
    counts.forEach((key, count) -> {
      if (count.get() > 1) {
        result.put(key, count.get());
      }
    });
    return result;
  }

  @Override
  public void close() throws InterruptedException {
    if (closed.compareAndSet(false, true)) {
      consumer.wakeup();
      thread.join(10_000);
    }
  }
}
