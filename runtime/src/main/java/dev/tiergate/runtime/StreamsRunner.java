package dev.tiergate.runtime;

import dev.tiergate.schemas.settings.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Kafka Streams app the same way in every service. {@link KafkaStreams#start()} blocks
 * while global tables are restored, so it runs on a thread of its own and {@link #start} waits for
 * RUNNING at most a bounded time; a failed stream thread is replaced (and counted); {@link #close}
 * is bounded, idempotent and callable from any thread, also while start-up is still blocked (the app
 * then stops as soon as start-up returns).
 */
public final class StreamsRunner implements AutoCloseable {

  /**
   * The Streams state directory: one variable for every Streams app of a deployment (the launcher
   * gives them one directory), declared here once; each app's config adds its own default.
   */
  public static final Setting<Path> STATE_DIR =
      Setting.path("TIERGATE_STATE_DIR").withDescription("Streams state directory");

  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  /**
   * How long making the internal topics ahead may wait for the input topics, and a stream thread
   * for those internal topics before it joins anyway.
   */
  private static final Duration INTERNAL_TOPICS_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final StartupClientSupplier clients;
  private final KafkaStreams streams;
  private final Duration closeTimeout;
  private final List<AutoCloseable> closedAfter = new ArrayList<>();
  private final CountDownLatch settled = new CountDownLatch(1);
  private final CountDownLatch startReturned = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private boolean stopped;
  private volatile Thread starter;
  private volatile Thread topicCreator;
  private volatile RuntimeException startFailure;

  /**
   * Builds the app with the consumers of {@link StartupClientSupplier}: its global tables restore
   * and its changelogs with a short fetch wait, its stream threads join once its internal topics
   * are made.
   *
   * @param name the app's name in logs and thread names, e.g. {@code router}
   * @param onThreadReplaced called each time a failed stream thread is replaced (a metric)
   */
  public StreamsRunner(
      final String name, final Topology topology, final Properties properties,
      final Duration closeTimeout, final Runnable onThreadReplaced) {
    this.name = Objects.requireNonNull(name, "name");
    this.clients = new StartupClientSupplier(INTERNAL_TOPICS_TIMEOUT,
        // Read as given: a StreamsConfig built here would log its warnings a second time.
        Integer.parseInt(String.valueOf(
            properties.getOrDefault(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0))) > 0);
    this.streams = new KafkaStreams(topology, properties, clients);
    this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(onThreadReplaced, "onThreadReplaced");
    streams.setUncaughtExceptionHandler(error -> {
      LOG.error("{} stream thread failed; replacing it", name, error);
      onThreadReplaced.run();
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((newState, oldState) -> {
      LOG.info("{} stream {} -> {}", name, oldState, newState);
      if (newState == State.RUNNING || !newState.isRunningOrRebalancing()) {
        settled.countDown();
      }
      if (newState == State.ERROR || newState == State.NOT_RUNNING) {
        ended.countDown();
      }
    });
  }

  /** Something the app uses (a producer of its handlers, say), closed after the app stops. */
  public StreamsRunner closingAfter(final AutoCloseable resource) {
    closedAfter.add(Objects.requireNonNull(resource, "resource"));
    return this;
  }

  /**
   * Starts the app and waits until it is RUNNING, or at most {@code timeout} (then it keeps
   * starting in the background; the result says which).
   *
   * @return true when RUNNING within the timeout
   * @throws IllegalStateException when called twice or after close, or when start-up fails within
   *     the wait
   */
  public boolean start(final Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException(name + " stream already started or closed");
    }
    // The app joins its group once its global tables are restored; its internal topics are
    // created meanwhile, so that join finds them.
    final Thread topics =
        DaemonThreads.named("tiergate-" + name + "-topics").newThread(this::createInternalTopics);
    topicCreator = topics;
    topics.start();
    final Thread thread =
        DaemonThreads.named("tiergate-" + name + "-start").newThread(this::startStreams);
    starter = thread;
    thread.start();
    final boolean settledInTime = await(settled, timeout);
    final RuntimeException failure = startFailure;
    if (failure != null) {
      throw new IllegalStateException(name + " stream failed to start", failure);
    }
    final State state = streams.state();
    if (settledInTime && !state.isRunningOrRebalancing()) {
      throw new IllegalStateException(name + " stream failed to start: " + state);
    }
    if (state != State.RUNNING) {
      LOG.warn("{} stream not RUNNING after {} (state {}); it keeps starting", name, timeout, state);
    }
    return state == State.RUNNING;
  }

  public State state() {
    return streams.state();
  }

  /**
   * Blocks until the app has ended: closed (NOT_RUNNING), or failed for good (ERROR, e.g. when a
   * thread could not be replaced). The failure, if it failed.
   */
  public Optional<Throwable> awaitStopped() throws InterruptedException {
    ended.await();
    final State state = streams.state();
    return state == State.ERROR
        ? Optional.of(new IllegalStateException(name + " stream ended in state " + state))
        : Optional.empty();
  }

  /** The app, for interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    final Thread topics = topicCreator;
    if (topics != null) {
      topics.interrupt();
    }
    final Thread thread = starter;
    if (thread != null && thread.isAlive()) {
      // A start() still restoring a global table gives up its lock on the app when interrupted.
      thread.interrupt();
    }
    if (started.get() && !await(startReturned, closeTimeout)) {
      LOG.warn("{} stream still starting after {}; it stops when start-up returns", name, closeTimeout);
      return;
    }
    stop();
  }

  private void startStreams() {
    try {
      final long startedAt = System.nanoTime();
      streams.start();
      clients.restored();
      LOG.info("{} stream: global tables restored, threads started in {} ms", name,
          Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    } catch (RuntimeException e) {
      if (!closed.get()) {
        LOG.error("{} stream failed to start", name, e);
        startFailure = e;
      }
      settled.countDown();
    } finally {
      startReturned.countDown();
    }
    if (closed.get()) {
      stop();
    }
  }

  /**
   * Creates the app's repartition and changelog topics before its first join, which would otherwise
   * create them and then join a second time (one rebalance more). Best effort: when it fails or
   * comes late, the app creates them itself as it always did.
   */
  private void createInternalTopics() {
    final long startedAt = System.nanoTime();
    try {
      final Set<String> topics = InternalTopics.create(streams, INTERNAL_TOPICS_TIMEOUT);
      LOG.info("{} stream: {} internal topics ready in {} ms", name, topics.size(),
          Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    } catch (RuntimeException e) {
      if (closed.get()) {
        LOG.debug("{} stream closed while its internal topics were created", name, e);
      } else {
        LOG.warn("{} stream: internal topics not created ahead ({}); the app creates them as it"
            + " joins", name, e.toString());
      }
    } finally {
      clients.internalTopicsSettled();
    }
  }

  /** Synchronized: a second caller (close racing the starter thread) returns once it stopped. */
  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (streams.close(closeTimeout)) {
      LOG.info("{} stream stopped", name);
    } else {
      LOG.warn("{} stream did not stop within {}", name, closeTimeout);
    }
    ended.countDown();
    for (final AutoCloseable resource : closedAfter) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("{} stream: closing {} failed", name, resource, e);
      }
    }
  }

  /** Waits for the latch; false on timeout or interrupt (the interrupt flag is kept). */
  private static boolean await(final CountDownLatch latch, final Duration timeout) {
    try {
      return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
