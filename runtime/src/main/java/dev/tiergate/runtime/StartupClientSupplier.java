package dev.tiergate.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * The consumers a Streams app runs with, shaped for a quick first start and a cheap idle.
 *
 * <ul>
 *   <li><b>Global tables restore with a short fetch wait.</b> Streams restores a global table one
 *       partition at a time; the fetch the consumer sends ahead for the partition just read sits at
 *       the broker for {@code fetch.max.wait.ms} (500 ms), and the next partition's fetch waits
 *       behind it: half a second per partition holding data. A short wait ends that, but an idle
 *       consumer with it fetches every few milliseconds for good, and Streams has no restore-only
 *       setting. So the global thread reads with a short wait until {@link #restored()}, then, at
 *       its next poll, moves to a consumer with the steady wait, at the same positions.
 *   <li><b>Changelogs restore with the short wait too</b>, by the same mechanism: a task's stores
 *       are restored by the stream thread's restore consumer, and tasks arrive in batches, the next
 *       batch's fetch waiting behind the one sent ahead for the last. When there is nothing to
 *       restore Streams does not poll that consumer, unless the app keeps standby replicas: their
 *       updates poll it without pause, so then it keeps the configured wait.
 *   <li><b>A restore poll is short.</b> Streams polls the restore consumer for {@code poll.ms},
 *       the stream threads' idle poll, and learns that a changelog is restored only when a poll
 *       returns. An empty changelog returns no record, so each batch of tasks would wait out two
 *       whole polls: a second per batch with the 500 ms of the router and batch progress. Without
 *       standbys the restore consumer polls for at most {@link #RESTORE_POLL}; a record still
 *       ends a poll at once.
 *   <li><b>A steady global table waits like a tail.</b> Its consumer has no group and a fixed
 *       assignment, so a long fetch wait delays nothing: a record answers a waiting fetch at once.
 *       Unless a wait is configured, it is {@link PartitionTail#IDLE_FETCH_WAIT}, not Kafka's
 *       500 ms: each app's global consumer otherwise sends two empty fetches a second while idle.
 *       Closing it does not wait for that fetch (there is nothing to commit and no group to leave).
 *   <li><b>Stream threads join once their internal topics exist.</b> The runner creates them while
 *       the global tables restore ({@link InternalTopics}); a thread that joined first would have
 *       its group leader create them again, and join a second time. A stream thread's first poll
 *       (where it joins) waits until {@link #internalTopicsSettled()}, at most {@code joinWait}.
 * </ul>
 */
final class StartupClientSupplier extends DefaultKafkaClientSupplier {

  /** The fetch wait while restoring; a shorter configured one is kept. */
  static final int RESTORE_FETCH_WAIT_MS = 10;

  /** The longest a restore consumer without standbys polls, whatever Streams asks. */
  static final Duration RESTORE_POLL = Duration.ofMillis(50);

  /** Appended to the global consumer's client id while it restores. */
  static final String RESTORING_CLIENT_SUFFIX = "-restoring";

  private final Duration joinWait;
  private final boolean standbyReplicas;
  private final CountDownLatch topicsSettled = new CountDownLatch(1);
  private volatile boolean restored;

  /**
   * @param joinWait how long a stream thread's first poll waits for the internal topics
   * @param standbyReplicas whether the app keeps standby replicas ({@code num.standby.replicas})
   */
  StartupClientSupplier(final Duration joinWait, final boolean standbyReplicas) {
    this.joinWait = joinWait;
    this.standbyReplicas = standbyReplicas;
  }

  /** The global tables are restored: the global thread switches consumers at its next poll. */
  void restored() {
    restored = true;
  }

  /** The internal topics are made, or will not be (failed, closed): stream threads may join. */
  void internalTopicsSettled() {
    topicsSettled.countDown();
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(final Map<String, Object> config) {
    final Consumer<byte[], byte[]> consumer = super.getConsumer(config);
    return forwarding(() -> consumer, timeout -> {
      awaitInternalTopics();
      return timeout;
    }, false, "stream thread consumer");
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(final Map<String, Object> config) {
    final Consumer<byte[], byte[]> consumer =
        super.getRestoreConsumer(restoreConsumerConfig(config));
    if (standbyReplicas) {
      return consumer;
    }
    return forwarding(() -> consumer,
        timeout -> timeout.compareTo(RESTORE_POLL) > 0 ? RESTORE_POLL : timeout,
        false, "restore consumer");
  }

  /** The stream threads' restore consumer's config: the short wait unless there are standbys. */
  Map<String, Object> restoreConsumerConfig(final Map<String, Object> config) {
    return standbyReplicas ? config : withRestoreFetchWait(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(final Map<String, Object> config) {
    // A client id of its own: metrics exporters that bound the restoring consumer's metrics see
    // them go and the steady consumer's (under Streams' own id) come, rather than keep stale ones.
    final Map<String, Object> restoring = withRestoreFetchWait(config);
    restoring.put(ConsumerConfig.CLIENT_ID_CONFIG,
        config.get(ConsumerConfig.CLIENT_ID_CONFIG) + RESTORING_CLIENT_SUFFIX);
    final GlobalConsumer global = new GlobalConsumer(super.getGlobalConsumer(restoring),
        () -> super.getGlobalConsumer(steadyGlobalConfig(config)));
    return forwarding(global::current, timeout -> {
      global.switchOnceRestored();
      return timeout;
    }, true, "global consumer");
  }

  /** The steady global consumer's config: a tail's fetch wait unless one is configured. */
  static Map<String, Object> steadyGlobalConfig(final Map<String, Object> config) {
    final Map<String, Object> steady = new HashMap<>(config);
    steady.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
        (int) PartitionTail.IDLE_FETCH_WAIT.toMillis());
    return steady;
  }

  private void awaitInternalTopics() {
    try {
      topicsSettled.await(joinWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // Closing: the poll that follows sees the interrupt and the thread stops.
      Thread.currentThread().interrupt();
    }
  }

  /** A copy of a consumer's config that waits {@link #RESTORE_FETCH_WAIT_MS} for a fetch at most. */
  static Map<String, Object> withRestoreFetchWait(final Map<String, Object> config) {
    final Object configured = config.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    final int configuredWait = configured == null
        ? ConsumerConfig.DEFAULT_FETCH_MAX_WAIT_MS
        : Integer.parseInt(configured.toString());
    final Map<String, Object> restoring = new HashMap<>(config);
    restoring.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
        Math.min(RESTORE_FETCH_WAIT_MS, configuredWait));
    return restoring;
  }

  /**
   * A consumer that forwards every call; ahead of each poll it runs {@code beforePoll}, which gives
   * the timeout to poll with. With {@code closeAtOnce}, any close is one that waits for nothing
   * (for a consumer without a group).
   */
  @SuppressWarnings("unchecked")
  private static Consumer<byte[], byte[]> forwarding(
      final Supplier<Consumer<byte[], byte[]>> target, final UnaryOperator<Duration> beforePoll,
      final boolean closeAtOnce, final String description) {
    return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(
        Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "poll" -> args[0] = beforePoll.apply((Duration) args[0]);
            case "close" -> {
              if (closeAtOnce) {
                closeWithoutWaiting(target.get());
                return null;
              }
            }
            case "equals" -> {
              return proxy == args[0];
            }
            case "hashCode" -> {
              return System.identityHashCode(proxy);
            }
            case "toString" -> {
              return description;
            }
            default -> { }
          }
          try {
            return method.invoke(target.get(), args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * Closes a consumer without a group at once: it has nothing to commit and no group to leave, and
   * waiting would only wait out its fetch in flight.
   */
  private static void closeWithoutWaiting(final Consumer<byte[], byte[]> consumer) {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }

  /**
   * The global thread's consumer: the restoring one, then the steady one. Only the global thread
   * polls, so the switch happens on that thread, between two of its calls.
   */
  private final class GlobalConsumer {
    private final Supplier<Consumer<byte[], byte[]>> steadyFactory;
    private volatile Consumer<byte[], byte[]> current;
    private boolean switched;

    GlobalConsumer(
        final Consumer<byte[], byte[]> restoring,
        final Supplier<Consumer<byte[], byte[]>> steadyFactory) {
      this.current = restoring;
      this.steadyFactory = steadyFactory;
    }

    Consumer<byte[], byte[]> current() {
      return current;
    }

    /** Same partitions, same positions; the restoring consumer's fetch in flight is dropped. */
    void switchOnceRestored() {
      if (!restored || switched) {
        return;
      }
      final Consumer<byte[], byte[]> restoring = current;
      final Set<TopicPartition> assigned = restoring.assignment();
      final Map<TopicPartition, Long> positions = new HashMap<>();
      for (final TopicPartition partition : assigned) {
        positions.put(partition, restoring.position(partition));
      }
      final Consumer<byte[], byte[]> steady = steadyFactory.get();
      steady.assign(assigned);
      positions.forEach(steady::seek);
      current = steady;
      switched = true;
      closeWithoutWaiting(restoring);
    }
  }
}
