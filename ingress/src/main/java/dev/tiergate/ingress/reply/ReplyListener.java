package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.runtime.PartitionTail;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's own reader of a reply topic: it assigns itself every partition (no consumer group,
 * so every ingress instance sees every reply), starts at the end, never at the earliest offset, and
 * hands each value to a callback on its own thread (a {@link PartitionTail}). Replies meant for
 * other instances are simply not found in the callback's pending map. A record it cannot decode
 * goes to a dead-letter topic with the reason, and reading goes on past it; so does a callback
 * that fails on one reply.
 */
public final class ReplyListener<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);

  private final Consumer<V> handler;
  private final PartitionTail<V> tail;

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
    this.handler = Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(deadLetters, "deadLetters");
    this.tail =
        PartitionTail.builder(consumer, topic, PartitionTail.Start.end())
            .threadName("tiergate-replies-" + topic)
            .onRecord(this::deliver)
            .onUndecodable(failure -> deadLetters.send(deadLetterTopic, failure))
            .build();
  }

  /**
   * Assigns all partitions at their end offsets and starts polling. Returns once the end offsets
   * are resolved, so every reply produced after this call is seen.
   *
   * @throws IllegalStateException when the topic does not exist
   */
  public void start() {
    tail.start();
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
    return tail.isAlive();
  }

  /** Stops polling and closes the consumer. Idempotent. */
  @Override
  public void close() {
    tail.close();
  }
}
