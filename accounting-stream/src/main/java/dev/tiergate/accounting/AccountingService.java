package dev.tiergate.accounting;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.VirtualKey;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the accounting stream and its query API: owns the {@link KafkaStreams} lifecycle (a failed
 * stream thread is replaced, close is bounded and idempotent) and the HTTP server.
 *
 * <p>{@link KafkaStreams#start()} blocks until the global model table is loaded, which without a
 * reachable broker lasts until {@code task.timeout.ms}; it therefore runs on a starter thread, so
 * {@link #start()} returns after a bounded wait and {@link #close()} can interrupt it.
 */
@EntryPoint
public final class AccountingService implements RunnableService {

  private static final Logger LOG = LoggerFactory.getLogger(AccountingService.class);

  private final AccountingConfig config;
  private final SerdeFactory serdes;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile KafkaStreams streams;
  private volatile StreamsRunner runner;
  private volatile AccountingHttpServer http;
  private volatile OpsServer ops;
  private volatile QueryRouter router;
  private final AccountingMetrics metrics = new AccountingMetrics();

  public AccountingService(final AccountingConfig config, final SerdeFactory serdes) {
    this.config = Objects.requireNonNull(config, "config");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
  }

  /**
   * Starts the stream and the HTTP server; returns once the stream is RUNNING or after the
   * configured start timeout (queries answer 503 until it runs).
   *
   * @throws IllegalStateException when called twice, or when the stream fails while starting
   */
  @Override
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    // The HTTP server binds first: application.server must name its real port (0 = a free one).
    final AccountingHttpServer.Sources sources = new AccountingHttpServer.Sources(
        new LazyStores(), this::route, keyTable(), this::state);
    final AccountingHttpServer server =
        new AccountingHttpServer(sources, Clock.systemUTC(), metrics)
            .start(config.host(), config.port());
    http = server;
    if (config.metricsPort() != AccountingConfig.NO_METRICS_PORT) {
      ops = OpsServer.start(
          "accounting", config.host(), config.metricsPort(), metrics::scrape, this::health);
    }
    final StreamsRunner appRunner = new StreamsRunner("accounting",
        AccountingTopology.build(serdes, config, metrics.spendMeter()),
        config.streamsProperties(server.port()), config.closeTimeout(), metrics::threadFailed);
    final KafkaStreams app = appRunner.streams();
    metrics.bind(app);
    router = QueryRouter.of(app, new HostInfo(config.advertisedHostOrDefault(), server.port()));
    streams = app;
    runner = appRunner;
    if (!appRunner.start(config.startTimeout())) {
      LOG.warn("queries answer 503 until the accounting stream runs");
    }
    requireAKey(app);
  }

  /**
   * Without static keys, the query API needs a usable key on {@code tiergate.virtual-keys}: the
   * global table is read to its end before the stream runs, so an empty one means there is none.
   */
  private void requireAKey(final KafkaStreams app) {
    if (VirtualKeyTable.of(config.virtualKeys(), hash -> null).hasStaticKeys()) {
      return;
    }
    if (app.state() != KafkaStreams.State.RUNNING) {
      throw new NoVirtualKeysException("no static keys, and tiergate.virtual-keys could not be read"
          + " (stream " + app.state() + " after " + config.startTimeout().toSeconds() + " s)");
    }
    try (KeyValueIterator<String, VirtualKey> keys = new StreamsStores(app).virtualKeys().all()) {
      while (keys.hasNext()) {
        if (!keys.next().value.getRevoked()) {
          return;
        }
      }
    }
    throw new NoVirtualKeysException("no virtual keys configured");
  }

  /** The Prometheus metrics of this instance (also served at {@code /metrics}). */
  public AccountingMetrics metrics() {
    return metrics;
  }

  private QueryRouter.Target route(final String store, final String tenant) {
    final QueryRouter current = router;
    return current == null
        ? QueryRouter.Target.unavailable("accounting stream not created yet")
        : current.route(store, tenant);
  }

  private VirtualKeyTable keyTable() {
    return VirtualKeyTable.of(config.virtualKeys(), hash -> {
      final KafkaStreams app = streams;
      return app == null ? null : new StreamsStores(app).virtualKeys().get(hash);
    });
  }

  /** The stores of the Streams app once it exists; unavailable before. */
  private final class LazyStores implements AccountingStores {

    private AccountingStores delegate() {
      final KafkaStreams app = streams;
      if (app == null) {
        throw new SpendUnavailableException("accounting stream not created yet");
      }
      return new StreamsStores(app);
    }

    @Override
    public ReadOnlyKeyValueStore<String, SpendAggregate> total(final OptionalInt partition) {
      return delegate().total(partition);
    }

    @Override
    public ReadOnlyWindowStore<String, SpendAggregate> windowed(
        final SpendWindow window, final OptionalInt partition) {
      return delegate().windowed(window, partition);
    }

    @Override
    public ReadOnlyKeyValueStore<String, BudgetState> budgetStates(final OptionalInt partition) {
      return delegate().budgetStates(partition);
    }

    @Override
    public ReadOnlyKeyValueStore<String, Budget> budgets() {
      return delegate().budgets();
    }

    @Override
    public ReadOnlyKeyValueStore<String, VirtualKey> virtualKeys() {
      return delegate().virtualKeys();
    }
  }

  /** The HTTP port (the bound one when the config asked for 0). */
  public int port() {
    final AccountingHttpServer server = http;
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.port();
  }

  /** The port of {@code /metrics} and {@code /health}; -1 before start or when turned off. */
  public int metricsPort() {
    final OpsServer opsServer = ops;
    return opsServer == null ? AccountingConfig.NO_METRICS_PORT : opsServer.port();
  }

  /** The Streams state, {@code CREATED} before start. */
  public KafkaStreams.State state() {
    final KafkaStreams app = streams;
    return app == null ? KafkaStreams.State.CREATED : app.state();
  }

  private OpsServer.Health health() {
    return healthOf(state());
  }

  /** Up only while RUNNING: during a rebalance queries may not find their stores. */
  static OpsServer.Health healthOf(final KafkaStreams.State state) {
    return new OpsServer.Health(state == KafkaStreams.State.RUNNING, state.name());
  }

  @Override
  public Optional<Throwable> awaitStopped() throws InterruptedException {
    final StreamsRunner appRunner = runner;
    return appRunner == null ? Optional.empty() : appRunner.awaitStopped();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Each part exists once start() got that far; the servers stop answering before the stream.
    Optional.ofNullable(http).ifPresent(AccountingHttpServer::close);
    Optional.ofNullable(ops).ifPresent(OpsServer::close);
    Optional.ofNullable(runner).ifPresent(StreamsRunner::close);
    metrics.close();
  }
}
