package dev.tiergate.ingress.limits;

import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.LimitCounts;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RateLimiter} in step with the other ingress instances over Kafka: every sync
 * interval it publishes this instance's changed counts to {@code tiergate.limit-counts} (keyed by
 * subject), and it reads every instance's counts and every request's usage from the last minute
 * on. Without Kafka clients it only drops idle subjects on the same schedule.
 */
public final class LimitSync implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LimitSync.class);
  /** Readers start this far back, so a new instance sees the whole current window. */
  static final Duration LOOK_BACK = Duration.ofSeconds(LimitWindow.SECONDS + 1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final RateLimiter limiter;
  private final Duration interval;
  private final Producer<String, LimitCounts> producer;
  private final PartitionTail<LimitCounts> peers;
  private final PartitionTail<UsageEvent> usage;
  private final ScheduledExecutorService timer;

  /** Local only: no Kafka clients, idle subjects dropped every interval. */
  public static LimitSync local(final RateLimiter limiter, final Duration interval) {
    return new LimitSync(limiter, interval, null, null, null, Clock.systemUTC());
  }

  /** The sync owns and closes the clients. */
  public LimitSync(
      final RateLimiter limiter,
      final Duration interval,
      final Producer<String, LimitCounts> producer,
      final Consumer<String, LimitCounts> countsConsumer,
      final Consumer<String, UsageEvent> usageConsumer,
      final Clock clock) {
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.producer = producer;
    this.peers =
        countsConsumer == null
            ? null
            : recent(countsConsumer, Topics.LIMIT_COUNTS.name(), clock, limiter::peerCounts);
    this.usage =
        usageConsumer == null
            ? null
            : recent(usageConsumer, Topics.USAGE.name(), clock, this::onUsage);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("tiergate-limits-publisher"));
  }

  /**
   * Every partition of the topic from {@link #LOOK_BACK} ago on, each value to {@code onValue}; an
   * undecodable record is logged and skipped (every instance reads these topics, so none of them
   * dead-letters it).
   */
  private static <V> PartitionTail<V> recent(
      final Consumer<String, V> consumer, final String topic, final Clock clock,
      final java.util.function.Consumer<V> onValue) {
    return PartitionTail.builder(consumer, topic, PartitionTail.Start.lookingBack(clock, LOOK_BACK))
        .threadName("tiergate-limits-" + topic)
        .pollTimeout(POLL_TIMEOUT)
        .onRecord(record -> {
          if (record.value() != null) {
            onValue.accept(record.value());
          }
        })
        .build();
  }

  public void start() {
    if (peers != null) {
      peers.start();
    }
    if (usage != null) {
      usage.start();
    }
    timer.scheduleWithFixedDelay(
        this::publish, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void onUsage(final UsageEvent event) {
    final long tokens = event.getUsage().getInputTokens() + event.getUsage().getOutputTokens();
    limiter.recordUsage(event.getKeyId(), event.getTenant(), tokens, event.getOccurredAt());
  }

  private void publish() {
    try {
      for (final LimitCounts counts : limiter.countsToPublish()) {
        if (producer != null) {
          producer.send(
              new ProducerRecord<>(Topics.LIMIT_COUNTS.name(), counts.getSubject(), counts),
              (metadata, error) -> {
                if (error != null) {
                  LOG.warn("could not publish rate-limit counts of {}: {}", counts.getSubject(),
                      error.toString());
                  limiter.republish(counts.getSubject());
                }
              });
        }
      }
    } catch (RuntimeException e) {
      // The next tick publishes the current counts again; never let the timer die.
      LOG.warn("rate-limit publication failed; retrying next interval", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (peers != null) {
      peers.close();
    }
    if (usage != null) {
      usage.close();
    }
    if (producer != null) {
      producer.close(CLOSE_TIMEOUT);
    }
  }
}
