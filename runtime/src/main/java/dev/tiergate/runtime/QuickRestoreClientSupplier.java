package dev.tiergate.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * Gives an app's global thread a consumer that restores its tables quickly and then idles cheaply.
 *
 * <p>Kafka Streams restores a global table one partition at a time. The fetch the consumer sends
 * ahead for the partition just read sits at the broker for {@code fetch.max.wait.ms} (500 ms), and
 * the next partition's fetch to the same broker waits behind it: half a second per partition that
 * holds data, seconds per app at start. A short wait ends that, but an idle consumer with it
 * fetches every few milliseconds for good, and Streams has no restore-only setting. So the global
 * thread reads with a short wait until {@link #restored()} is called ({@code KafkaStreams.start()}
 * returns once the global tables are restored), and at its next poll moves to a consumer with the
 * configured wait, at the same partitions and positions.
 */
final class QuickRestoreClientSupplier extends DefaultKafkaClientSupplier {

  /** The fetch wait while restoring; a shorter configured one is kept. */
  static final int RESTORE_FETCH_WAIT_MS = 10;

  private volatile boolean restored;

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(final Map<String, Object> config) {
    final Map<String, Object> restoring = new HashMap<>(config);
    restoring.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
        Math.min(RESTORE_FETCH_WAIT_MS, configuredFetchWait(config)));
    final SwitchingConsumer handler = new SwitchingConsumer(
        super.getGlobalConsumer(restoring), () -> super.getGlobalConsumer(config));
    @SuppressWarnings("unchecked")
    final Consumer<byte[], byte[]> consumer = (Consumer<byte[], byte[]>) Proxy.newProxyInstance(
        Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class}, handler);
    return consumer;
  }

  /** The global tables are restored: the global thread switches consumers at its next poll. */
  void restored() {
    restored = true;
  }

  private static int configuredFetchWait(final Map<String, Object> config) {
    final Object configured = config.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    return configured == null
        ? ConsumerConfig.DEFAULT_FETCH_MAX_WAIT_MS
        : Integer.parseInt(configured.toString());
  }

  /**
   * Forwards every call to the current consumer. Only the global thread polls, so the switch
   * happens on that thread, between two of its calls.
   */
  private final class SwitchingConsumer implements InvocationHandler {
    private final Supplier<Consumer<byte[], byte[]>> steadyFactory;
    private volatile Consumer<byte[], byte[]> current;
    private boolean switched;

    SwitchingConsumer(
        final Consumer<byte[], byte[]> restoring,
        final Supplier<Consumer<byte[], byte[]>> steadyFactory) {
      this.current = restoring;
      this.steadyFactory = steadyFactory;
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args)
        throws Throwable {
      switch (method.getName()) {
        case "poll" -> {
          if (restored && !switched) {
            switchToSteady();
          }
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "global consumer (" + (switched ? "steady" : "restoring") + ")";
        }
        default -> { }
      }
      try {
        return method.invoke(current, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    /** Same partitions, same positions; the restoring consumer's fetch in flight is dropped. */
    private void switchToSteady() {
      final Consumer<byte[], byte[]> restoring = current;
      final Set<TopicPartition> assigned = restoring.assignment();
      final Map<TopicPartition, Long> positions = new HashMap<>();
      for (final TopicPartition partition : assigned) {
        positions.put(partition, restoring.position(partition));
      }
      // Closed first: the steady consumer registers under the same client id.
      restoring.close(CloseOptions.timeout(Duration.ZERO));
      final Consumer<byte[], byte[]> steady = steadyFactory.get();
      steady.assign(assigned);
      positions.forEach(steady::seek);
      current = steady;
      switched = true;
    }
  }
}
