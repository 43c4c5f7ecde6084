package dev.tiergate.router;

import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.schemas.SerdeFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the router topology: owns the {@link KafkaStreams} lifecycle so the standalone {@link Main}
 * and the all-in-one launcher start and stop it the same way. A failed stream thread is replaced,
 * not fatal: the router is on the request path and its only state is the global routing table.
 *
 * <p>{@link KafkaStreams#start()} blocks until the routing table is loaded, for up to {@code
 * task.timeout.ms} (5 minutes by default) when the cluster is unreachable: {@link StreamsRunner}
 * runs it off the caller's thread, so {@link #start()} waits a bounded time and {@link #close()}
 * never waits longer than the close timeout.
 *
 * <p>Also serves {@code /metrics} and {@code /health} on the config's HTTP port ({@link #port()}),
 * and owns the producer that sends undecodable routes and models to their dead-letter topics
 * ({@link TableDeadLetterHandler}).
 */
@EntryPoint
public final class RouterService implements RunnableService {

  private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);

  private final RouterConfig config;
  private final StreamsRunner runner;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile OpsServer http;

  /** A service whose serdes talk to the schema registry named in the config. */
  public RouterService(final RouterConfig config) {
    this(config, Objects.requireNonNull(config, "config").kafka().serdes());
  }

  public RouterService(final RouterConfig config, final SerdeFactory serdes) {
    this(config, serdes, shippedPredictor(Objects.requireNonNull(config, "config").policy()));
  }

  /**
   * A service scoring with {@code predictor}, loaded by the caller (the all-in-one launcher scores
   * one prompt with it first, so the first request finds it warm); null sends requests without a
   * mode to the tier default, as {@link #shippedPredictor} gives for a policy that predicts nothing.
   */
  public RouterService(
      final RouterConfig config, final SerdeFactory serdes, final DifficultyScorer predictor) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(serdes, "serdes");
    final RouterMetrics metrics = new RouterMetrics(registry);
    final Topology topology = RouterTopology.build(serdes, config, metrics, predictor);
    final Producer<byte[], byte[]> deadLetters = new KafkaProducer<>(
        config.kafka().clientProperties(Map.of(
            "client.id", config.applicationId() + "-table-dead-letters",
            "acks", "all",
            "linger.ms", "0",
            "max.block.ms", "10000")),
        new ByteArraySerializer(), new ByteArraySerializer());
    final Properties properties = config.streamsProperties();
    properties.put(TableDeadLetterHandler.PRODUCER_CONFIG, deadLetters);
    properties.put(RouterProductionHandler.SERDES_CONFIG, serdes);
    this.runner = new StreamsRunner(
            "router", topology, properties, config.closeTimeout(),
            metrics::threadReplaced)
        .closingAfter(() -> deadLetters.close(config.closeTimeout()));
  }

  /**
   * The predictor {@code policy} asks for, freshly loaded (the embedding model takes seconds): what
   * a service built without one of its caller's uses; null when the policy predicts nothing.
   */
  public static DifficultyScorer shippedPredictor(final RouterConfig.Policy policy) {
    return RouterTopology.shippedPredictor(Objects.requireNonNull(policy, "policy"));
  }

  /**
   * Starts the router and waits until it is RUNNING, or at most the config's start timeout (then it
   * keeps starting in the background). Throws if start-up fails within that wait.
   */
  @Override
  public void start() {
    LOG.info("starting router {} (default tier {})", config.applicationId(), config.defaultTier());
    if (config.httpPort() != RouterConfig.NO_PORT) {
      http = OpsServer.start(
          "router", config.httpHost(), config.httpPort(), registry::scrape, this::health);
    }
    runner.start(config.startTimeout());
  }

  @Override
  public Optional<Throwable> awaitStopped() throws InterruptedException {
    return runner.awaitStopped();
  }

  /** The port of {@code /metrics} and {@code /health}; -1 before start or when turned off. */
  public int port() {
    final OpsServer server = http;
    return server == null ? RouterConfig.NO_PORT : server.port();
  }

  public State state() {
    return runner.state();
  }

  private OpsServer.Health health() {
    return healthOf(runner.state());
  }

  /** Up while RUNNING or REBALANCING: a rebalance pauses routing for moments, not for good. */
  static OpsServer.Health healthOf(final State state) {
    return new OpsServer.Health(state == State.RUNNING || state == State.REBALANCING, state.name());
  }

  /** The underlying client, for interactive queries of {@link RouterTopology#ROUTES_STORE}. */
  public KafkaStreams streams() {
    return runner.streams();
  }

  /**
   * Stops within the config's close timeout; safe to call more than once and from any thread. If
   * start-up is still blocked then, the router stops as soon as start-up returns.
   */
  @Override
  public void close() {
    final OpsServer server = http;
    if (server != null) {
      server.close();
    }
    runner.close();
  }
}
