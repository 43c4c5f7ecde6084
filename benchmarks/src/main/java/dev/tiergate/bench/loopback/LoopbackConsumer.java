package dev.tiergate.bench.loopback;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A one-partition reply topic in memory: values offered by the loopback producer are handed to the
 * ingress's reply listener on its next poll. Unlike a bare {@code MockConsumer}, {@code poll} waits
 * for a value up to its timeout, so the listener does not spin a core while idle.
 */
final class LoopbackConsumer<V> extends MockConsumer<String, V> {

  private static final Object WAKE = new Object();

  private final TopicPartition partition;
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final AtomicLong offsets = new AtomicLong();

  LoopbackConsumer(final String topic) {
    super("latest");
    this.partition = new TopicPartition(Objects.requireNonNull(topic, "topic"), 0);
    updatePartitions(topic, List.of(new PartitionInfo(topic, 0, null, null, null)));
    updateEndOffsets(Map.of(partition, 0L));
  }

  /** Delivers a value on the next poll; called from any thread. */
  void offer(final String key, final V value) {
    inbox.add(new ConsumerRecord<>(partition.topic(), 0, offsets.getAndIncrement(), key, value));
  }

  @Override
  public ConsumerRecords<String, V> poll(final Duration timeout) {
    try {
      final Object first = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (first == WAKE) {
        throw new WakeupException();
      }
      if (first != null) {
        add(first);
        for (Object next = inbox.poll(); next != null; next = inbox.poll()) {
          add(next);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    }
    return super.poll(Duration.ZERO);
  }

  @SuppressWarnings("unchecked")
  private void add(final Object record) {
    if (record == WAKE) {
      throw new WakeupException();
    }
    addRecord((ConsumerRecord<String, V>) record);
  }

  @Override
  public void wakeup() {
    inbox.add(WAKE);
    super.wakeup();
  }
}
