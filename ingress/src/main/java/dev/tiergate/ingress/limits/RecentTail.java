package dev.tiergate.ingress.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of a topic from a little while ago on (no consumer group, no commits) and
 * hands each value to a callback on its own thread: the rate limiter's view of the last minute of
 * other instances' counts and of usage. An undecodable record is logged and skipped: every instance
 * reads these topics, so none of them dead-letters it.
 */
final class RecentTail<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecentTail.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<String, V> consumer;
  private final String topic;
  private final Duration lookBack;
  private final Clock clock;
  private final java.util.function.Consumer<V> onValue;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread thread;
  private boolean started;

  RecentTail(
      final Consumer<String, V> consumer, final String topic, final Duration lookBack,
      final Clock clock, final java.util.function.Consumer<V> onValue) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.lookBack = Objects.requireNonNull(lookBack, "lookBack");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onValue = Objects.requireNonNull(onValue, "onValue");
    this.thread = new Thread(this::run, "tiergate-limits-" + topic);
    this.thread.setDaemon(true);
  }

  /** Assigns every partition at the first offset of the look-back period and starts reading. */
  synchronized void start() {
    if (started || closed.get()) {
      return;
    }
    final List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " has no partitions; provision it");
    }
    final List<TopicPartition> partitions =
        infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    final long since = clock.millis() - lookBack.toMillis();
    final Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(partition -> times.put(partition, since));
    final Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
    for (final TopicPartition partition : partitions) {
      final OffsetAndTimestamp offset = offsets.get(partition);
      if (offset == null) {
        consumer.seekToEnd(List.of(partition));
      } else {
        consumer.seek(partition, offset.offset());
      }
    }
    started = true;
    thread.start();
  }

  private void run() {
    try {
      while (!closed.get()) {
        pollOnce();
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        LOG.error("reader of {} woken up unexpectedly; stopped", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("reader of {} failed; stopped (limits now count this instance only)", topic, e);
    } finally {
      consumer.close();
    }
  }

  private void pollOnce() {
    try {
      for (final ConsumerRecord<String, V> record : consumer.poll(POLL_TIMEOUT)) {
        if (record.value() != null) {
          onValue.accept(record.value());
        }
      }
    } catch (RecordDeserializationException e) {
      LOG.warn("skipping undecodable record at {} offset {}", e.topicPartition(), e.offset(), e);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!started) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
