package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.IngressMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's own reader of a reply topic: it assigns itself every partition (no consumer group,
 * so every ingress instance sees every reply), starts at the end, never at the earliest offset, and
 * hands each value to a callback on its own thread. Replies meant for other instances are simply
 * not found in the callback's pending map. A record it cannot decode goes to a dead-letter topic
 * with the reason, and reading goes on past it.
 */
public final class ReplyListener<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  private final org.apache.kafka.clients.consumer.Consumer<String, V> consumer;
  private final String topic;
  private final Consumer<V> handler;
  private final String deadLetterTopic;
  private final DeadLetters deadLetters;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private boolean started;

  /**
   * A listener that logs and skips the records it cannot decode.
   *
   * @param consumer used only by this listener and closed by it
   * @param topic the reply topic to read
   * @param handler called on the listener's thread with each non-null value
   */
  public ReplyListener(
      final org.apache.kafka.clients.consumer.Consumer<String, V> consumer,
      final String topic,
      final Consumer<V> handler) {
    this(consumer, topic, handler, topic + ".dlq", new DeadLetters(null, new IngressMetrics()));
  }

  /**
   * A listener that sends the records it cannot decode to {@code deadLetterTopic} and keeps
   * reading.
   *
   * @param deadLetters shared by the service's listeners; not closed by this one
   */
  public ReplyListener(
      final org.apache.kafka.clients.consumer.Consumer<String, V> consumer,
      final String topic,
      final Consumer<V> handler,
      final String deadLetterTopic,
      final DeadLetters deadLetters) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.thread = new Thread(this::run, "tiergate-replies-" + topic);
    this.thread.setDaemon(true);
  }

  /**
   * Assigns all partitions at their end offsets and starts polling. Returns once the end offsets
   * are resolved, so every reply produced after this call is seen.
   *
   * @throws IllegalStateException when the topic does not exist
   */
  public synchronized void start() {
    if (started || closed.get()) {
      return;
    }
    final List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("reply topic " + topic + " has no partitions; provision it");
    }
    final List<TopicPartition> partitions =
        infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    started = true;
    thread.start();
    LOG.info("reading replies from {} ({} partitions, from the end)", topic, partitions.size());
  }

  private void run() {
    try {
      while (!closed.get()) {
        pollOnce();
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        LOG.error("reply listener on {} woken up unexpectedly; stopped", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("reply listener on {} failed; stopped", topic, e);
    } finally {
      consumer.close();
    }
  }

  private void pollOnce() {
    try {
      for (final ConsumerRecord<String, V> record : consumer.poll(POLL_TIMEOUT)) {
        deliver(record);
      }
    } catch (RecordDeserializationException e) {
      deadLetters.send(deadLetterTopic, e);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  private void deliver(final ConsumerRecord<String, V> record) {
    if (record.value() == null) {
      return;
    }
    try {
      handler.accept(record.value());
    } catch (RuntimeException e) {
      LOG.error(
          "reply handler failed at {}-{} offset {}",
          record.topic(), record.partition(), record.offset(), e);
    }
  }

  /** Whether the polling thread is running; false before start, after close or after a failure. */
  public boolean isAlive() {
    return thread.isAlive();
  }

  /** Stops polling and closes the consumer. Idempotent. */
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
