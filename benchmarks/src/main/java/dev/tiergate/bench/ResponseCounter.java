package dev.tiergate.bench;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts records on the responses topic from its beginning (the benchmark's topics are fresh), as
 * raw bytes so counting costs next to nothing, and lets a benchmark wait for a count.
 */
final class ResponseCounter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseCounter.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicLong count = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object progress = new Object();
  private final Thread thread;

  private ResponseCounter(final KafkaConsumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
    this.thread = new Thread(this::run, "bench-response-counter");
    this.thread.setDaemon(true);
  }

  static ResponseCounter start(final KafkaSettings kafka) {
    Objects.requireNonNull(kafka, "kafka");
    final var props = kafka.clientProperties(Map.of(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    final KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESPONSES.name()).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    final ResponseCounter counter = new ResponseCounter(consumer);
    counter.thread.start();
    return counter;
  }

  private void run() {
    try {
      while (!closed.get()) {
        final int n = consumer.poll(Duration.ofMillis(200)).count();
        if (n > 0) {
          count.addAndGet(n);
          synchronized (progress) {
            progress.notifyAll();
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        LOG.error("response counter woken up unexpectedly", e);
      }
    } finally {
      consumer.close();
    }
  }

  long count() {
    return count.get();
  }

  /** Waits until at least {@code expected} responses were seen; throws after the timeout. */
  void await(final long expected, final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (count.get() < expected) {
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "only " + count.get() + " of " + expected + " responses after " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      consumer.wakeup();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
