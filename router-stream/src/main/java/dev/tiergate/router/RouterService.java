package dev.tiergate.router;

import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.schemas.SerdeFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the router topology: owns the {@link KafkaStreams} lifecycle so the standalone {@link Main}
 * and the all-in-one launcher start and stop it the same way. A failed stream thread is replaced,
 * not fatal: the router is on the request path and its only state is the global routing table.
 *
 * <p>{@link KafkaStreams#start()} blocks until the routing table is loaded, for up to {@code
 * task.timeout.ms} (5 minutes by default) when the cluster is unreachable, and holds the client's
 * lock meanwhile. So it runs on its own thread: {@link #start()} waits a bounded time, and {@link
 * #close()} never waits longer than the close timeout.
 *
 * <p>Also serves {@code /metrics} and {@code /health} on the config's HTTP port ({@link #port()}),
 * and owns the producer that sends undecodable routes and models to their dead-letter topics
 * ({@link TableDeadLetterHandler}).
 */
public final class RouterService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);

  private final RouterConfig config;
  private final KafkaStreams streams;
  private final Producer<byte[], byte[]> deadLetters;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile RouterHttp http;
  private final CountDownLatch settled = new CountDownLatch(1);
  private final CountDownLatch startReturned = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RuntimeException startFailure;
  private boolean streamsStopped;

  /** A service whose serdes talk to the schema registry named in the config. */
  public RouterService(final RouterConfig config) {
    this(config, Objects.requireNonNull(config, "config").kafka().serdes());
  }

  public RouterService(final RouterConfig config, final SerdeFactory serdes) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(serdes, "serdes");
    final DifficultyScorer predictor =
        RouterTopology.shippedPredictor(config.policy());
    final Topology topology =
        RouterTopology.build(serdes, config, new RouterMetrics(registry), predictor);
    this.deadLetters = new KafkaProducer<>(
        config.kafka().clientProperties(Map.of(
            "client.id", config.applicationId() + "-table-dead-letters",
            "acks", "all",
            "linger.ms", "0",
            "max.block.ms", "10000")),
        new ByteArraySerializer(), new ByteArraySerializer());
    final Properties properties = config.streamsProperties();
    properties.put(TableDeadLetterHandler.PRODUCER_CONFIG, deadLetters);
    properties.put(RouterProductionHandler.SERDES_CONFIG, serdes);
    this.streams = new KafkaStreams(topology, properties);
    streams.setUncaughtExceptionHandler(
        error -> {
          LOG.error("router stream thread failed; replacing it", error);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(this::onStateChange);
  }

  /**
   * Starts the router and waits until it is RUNNING, or at most the config's start timeout (then it
   * keeps starting in the background). Throws if start-up fails within that wait.
   */
  public void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("router already started or closed");
    }
    LOG.info("starting router {} (default tier {})", config.applicationId(), config.defaultTier());
    if (config.httpPort() != RouterConfig.NO_PORT) {
      http = RouterHttp.start(config.httpHost(), config.httpPort(), registry, streams::state);
    }
    final Thread starter = new Thread(this::startStreams, "tiergate-router-start");
    starter.setDaemon(true);
    starter.start();
    if (!await(settled, config.startTimeout())) {
      LOG.warn("router not RUNNING after {}; still {}", config.startTimeout(), streams.state());
    }
    final RuntimeException failure = startFailure;
    if (failure != null) {
      throw new IllegalStateException("router failed to start", failure);
    }
    if (streams.state() == State.ERROR || streams.state() == State.PENDING_ERROR) {
      throw new IllegalStateException("router failed to start: " + streams.state());
    }
  }

  /** The port of {@code /metrics} and {@code /health}; -1 before start or when turned off. */
  public int port() {
    final RouterHttp server = http;
    return server == null ? RouterConfig.NO_PORT : server.port();
  }

  public State state() {
    return streams.state();
  }

  /** The underlying client, for interactive queries of {@link RouterTopology#ROUTES_STORE}. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Stops within the config's close timeout; safe to call more than once and from any thread. If
   * start-up is still blocked then, the router stops as soon as start-up returns.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (http != null) {
      http.close();
    }
    if (started.get() && !await(startReturned, config.closeTimeout())) {
      LOG.warn("router still starting after {}; it stops when start-up returns",
          config.closeTimeout());
      return;
    }
    stopStreams();
  }

  private void startStreams() {
    try {
      streams.start();
    } catch (RuntimeException e) {
      startFailure = e;
      LOG.error("router failed to start", e);
      settled.countDown();
    } finally {
      startReturned.countDown();
    }
    if (closed.get()) {
      stopStreams();
    }
  }

  private synchronized void stopStreams() {
    if (streamsStopped) {
      return;
    }
    streamsStopped = true;
    if (streams.close(config.closeTimeout())) {
      LOG.info("router {} stopped", config.applicationId());
    } else {
      LOG.warn("router {} did not stop within {}", config.applicationId(), config.closeTimeout());
    }
    deadLetters.close(config.closeTimeout());
  }

  private void onStateChange(final State newState, final State oldState) {
    LOG.debug("router state {} -> {}", oldState, newState);
    if (newState == State.RUNNING || !newState.isRunningOrRebalancing()) {
      settled.countDown();
    }
  }

  /** Waits for the latch; false on timeout or interrupt (the interrupt flag is kept). */
  private static boolean await(final CountDownLatch latch, final Duration timeout) {
    try {
      return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("interrupted while waiting for the router", e);
      return false;
    }
  }
}
