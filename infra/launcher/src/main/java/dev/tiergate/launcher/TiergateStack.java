package dev.tiergate.launcher;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.AccountingService;
import dev.tiergate.accounting.batch.BatchConfig;
import dev.tiergate.accounting.batch.BatchProgressService;
import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.dispatcher.DispatcherService;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.launcher.ServiceProcess.Kind;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.router.RouterConfig;
import dev.tiergate.router.RouterService;
import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SchemaCatalogue;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.stack.BrokerCluster;
import dev.tiergate.stack.FreePorts;
import dev.tiergate.stack.LocalStack;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import dev.tiergate.tracing.Tracing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: embedded broker and registry, the provider simulator standing in
 * for every provider, and the four services, each configured through the same environment-style
 * settings it reads when it runs on its own.
 */
public final class TiergateStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TiergateStack.class);

  /** Where every HTTP port of the stack binds unless told otherwise: this machine only. */
  public static final String DEFAULT_BIND_HOST = "127.0.0.1";

  /** The well-known key demo mode turns on; it may use every tier. */
  public static final String DEMO_KEY = "tg-demo-key";

  /** Demo key for the simulated providers: shows that provider keys stay out of Kafka and logs. */
  public static final String SIMULATED_PROVIDER_KEY = "sk-sim-never-logged-0000";
  /** A service JVM's start on a busy two-core machine, ten of them at once. */
  private static final Duration PROCESS_START_TIMEOUT = Duration.ofSeconds(180);

  /**
   * @param dataDir broker log dirs and Streams state live here
   * @param ingressPort 0 for a free port
   * @param accountingPort 0 for a free port
   * @param externalCluster a running Kafka cluster and registry to use instead of starting the
   *     embedded ones (topics are provisioned there if missing); empty for the embedded stack
   * @param inProcessDispatcher false to leave dispatching to a dispatcher run elsewhere (a child JVM
   *     in the fault tests, a scaled-out group in production)
   * @param simulatorConfig how the provider simulator behaves (latency, failure share)
   * @param serviceEnvOverrides extra environment-style settings for every service, on top of ours
   * @param layout how many brokers, and whether the services run here or as separate processes
   */
  public record Options(
      Path dataDir,
      int ingressPort,
      int accountingPort,
      Duration replyTimeout,
      Optional<KafkaSettings> externalCluster,
      boolean inProcessDispatcher,
      SimulatorConfig simulatorConfig,
      Map<String, String> serviceEnvOverrides,
      Layout layout) {
    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(replyTimeout, "replyTimeout");
      Objects.requireNonNull(externalCluster, "externalCluster");
      Objects.requireNonNull(simulatorConfig, "simulatorConfig");
      Objects.requireNonNull(layout, "layout");
      serviceEnvOverrides = Map.copyOf(serviceEnvOverrides);
    }

    public Options(
        final Path dataDir, final int ingressPort, final int accountingPort,
        final Duration replyTimeout, final Optional<KafkaSettings> externalCluster,
        final boolean inProcessDispatcher, final SimulatorConfig simulatorConfig,
        final Map<String, String> serviceEnvOverrides) {
      this(dataDir, ingressPort, accountingPort, replyTimeout, externalCluster, inProcessDispatcher,
          simulatorConfig, serviceEnvOverrides, Layout.ONE_PROCESS);
    }

    /** The embedded stack with every service in this process and a never-failing simulator. */
    public Options(
        final Path dataDir, final int ingressPort, final int accountingPort, final Duration replyTimeout) {
      this(dataDir, ingressPort, accountingPort, replyTimeout, Optional.empty(), true,
          SimulatorConfig.defaults(), Map.of());
    }

    public Options withLayout(final Layout other) {
      return new Options(dataDir, ingressPort, accountingPort, replyTimeout,
          externalCluster, inProcessDispatcher, simulatorConfig, serviceEnvOverrides, other);
    }

    /**
     * Uses the cluster named by {@code KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} (and
     * any other {@code KAFKA_*} setting) when both are set in {@code env}; otherwise unchanged.
     */
    public Options withClusterFromEnv(final Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      final boolean configured = !isBlank(env.get(KafkaSettings.BOOTSTRAP_ENV))
          && !isBlank(env.get(KafkaSettings.REGISTRY_ENV));
      return configured ? withExternalCluster(KafkaSettings.fromEnv(env)) : this;
    }

    public Options withExternalCluster(final KafkaSettings cluster) {
      return new Options(dataDir, ingressPort, accountingPort, replyTimeout,
          Optional.of(cluster), inProcessDispatcher, simulatorConfig, serviceEnvOverrides, layout);
    }

    public Options withoutInProcessDispatcher() {
      return new Options(dataDir, ingressPort, accountingPort, replyTimeout,
          externalCluster, false, simulatorConfig, serviceEnvOverrides, layout);
    }

    public Options withSimulator(final SimulatorConfig config) {
      return new Options(dataDir, ingressPort, accountingPort, replyTimeout,
          externalCluster, inProcessDispatcher, config, serviceEnvOverrides, layout);
    }

    public Options withServiceEnv(final Map<String, String> overrides) {
      return new Options(dataDir, ingressPort, accountingPort, replyTimeout,
          externalCluster, inProcessDispatcher, simulatorConfig, overrides, layout);
    }

    private static boolean isBlank(final String value) {
      return value == null || value.isBlank();
    }
  }

  private static final Duration INGRESS_READY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How the stack is laid out on this machine.
   *
   * @param brokers Kafka nodes: one in this JVM, or a cluster of that many broker JVMs
   * @param instances 0 runs every service in this JVM; N runs N separate processes of each service
   *     (the deployment's main classes), so scale-out and failover are real
   */
  public record Layout(int brokers, int instances) {
    /** One broker and every service in this process: {@code tiergate up} with no flags. */
    public static final Layout ONE_PROCESS = new Layout(1, 0);

    public Layout {
      if (brokers < 1 || instances < 0) {
        throw new IllegalArgumentException("brokers must be >= 1 and instances >= 0");
      }
    }

    public boolean separateProcesses() {
      return instances > 0;
    }
  }

  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private LocalStack localStack;
  private ProviderSimulator simulator;
  private IngressService ingress;
  private AccountingService accounting;
  private DispatcherService dispatcher;
  private RouterService router;
  private KafkaSettings kafkaSettings;
  private Map<String, String> env = Map.of();
  private Duration startupTime = Duration.ZERO;
  private final List<ServiceProcess> processes = new ArrayList<>();
  private final List<String> ingressUrls = new ArrayList<>();
  private String accountingUrl;

  private TiergateStack() {}

  /** Starts everything; on failure, stops what had started and rethrows. */
  public static TiergateStack start(final Options options) {
    final TiergateStack stack = new TiergateStack();
    try {
      stack.startAll(options);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(final Options options) {
    final long startedAt = System.nanoTime();
    final KafkaSettings kafka = startCluster(options);
    simulator = track(ProviderSimulator.start(options.simulatorConfig()));
    final SerdeFactory serdes = kafka.serdes();
    DefaultRoutingTable.load().seed(kafka);

    env = serviceEnv(options, kafka);
    if (options.layout().separateProcesses()) {
      startProcesses(options);
    } else {
      startInProcess(options, serdes);
    }
    startupTime = Duration.ofNanos(System.nanoTime() - startedAt);
    LOG.info("Tiergate stack ready in {} ms", startupTime.toMillis());
  }

  /** Loads the router's predictor and scores one prompt, so the first request finds it warm. */
  private static DifficultyScorer loadPredictor(final RouterConfig.Policy policy) {
    final long startedAt = System.nanoTime();
    final DifficultyScorer predictor = RouterService.shippedPredictor(policy);
    if (predictor != null) {
      predictor.score("Plan a refactor of the billing module");
    }
    LOG.info("router predictor loaded in {} ms",
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    return predictor;
  }

  private void startInProcess(final Options options, final SerdeFactory serdes) {
    // One SDK for the four services of this process; off unless OTEL_TRACES_EXPORTER is set.
    Tracing.fromEnvironment("tiergate");
    createSharedStateDirectory(env);
    final List<Starting<?>> services = new ArrayList<>();
    final ExecutorService starters = Executors.newCachedThreadPool(
        DaemonThreads.named("tiergate-service-start"));
    try {
      final Starting<AccountingService> accountingStart = Starting.of(
          () -> new AccountingService(AccountingConfig.fromEnv(env), serdes), starters, services);
      Starting.of(
          () -> new BatchProgressService(BatchConfig.fromEnv(env), serdes), starters, services);
      // The router's embedding model loads on its starter thread while the others start.
      final RouterConfig routerConfig = RouterConfig.fromEnv(env);
      final Starting<RouterService> routerStart = Starting.of(
          () -> new RouterService(routerConfig, serdes, loadPredictor(routerConfig.policy())),
          starters, services);
      final Starting<DispatcherService> dispatcherStart = options.inProcessDispatcher()
          ? Starting.of(() -> new DispatcherService(DispatcherConfig.fromEnv(env), serdes),
              starters, services)
          : null;
      final Starting<IngressService> ingressStart = Starting.of(
          () -> new IngressService(IngressConfig.fromEnv(env), serdes), starters, services);
      awaitStarted(services);
      accounting = accountingStart.created().join();
      router = routerStart.created().join();
      dispatcher = dispatcherStart == null ? null : dispatcherStart.created().join();
      ingress = ingressStart.created().join();
    } finally {
      starters.shutdown();
    }
    awaitIngressReady();
    ingressUrls.add("http://" + clientHost(IngressConfig.HOST) + ":" + ingress.port());
    accountingUrl = "http://" + clientHost(AccountingConfig.HOST) + ":" + accounting.port();
  }

  /**
   * The three Streams apps of one process share a base state directory. Kafka Streams creates it
   * with exists-then-mkdirs and fails when another app created it in between, which apps built at
   * once on their starter threads do; so it exists before they start.
   */
  static void createSharedStateDirectory(final Map<String, String> serviceEnv) {
    final String stateDir = serviceEnv.get(StreamsRunner.STATE_DIR.name());
    if (stateDir == null) {
      return;
    }
    try {
      Files.createDirectories(Path.of(stateDir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Streams state directory " + stateDir, e);
    }
  }

  /**
   * One service being built and started on a starter thread of its own.
   *
   * @param created the service once built (its constructor builds the topology and clients)
   * @param started done once its {@code start()} returned
   */
  private record Starting<T extends RunnableService>(
      CompletableFuture<T> created, CompletableFuture<T> started) {
    static <T extends RunnableService> Starting<T> of(
        final Supplier<T> create, final Executor starters, final List<Starting<?>> all) {
      final CompletableFuture<T> created = CompletableFuture.supplyAsync(create, starters);
      final Starting<T> starting = new Starting<>(created, created.thenApply(service -> {
        service.start();
        return service;
      }));
      all.add(starting);
      return starting;
    }
  }

  /**
   * Waits until every service has been built and started, then keeps those that were built for
   * {@link #close} in the order given (the ingress last, so it stops first). Most of a start is
   * waiting on the broker (group joins, transactional ids, reading tables), so together they take
   * as long as the slowest one rather than their sum. The services only meet through topics, so
   * none needs another started first; a request the ingress takes early waits on its topic for the
   * router.
   */
  private void awaitStarted(final List<Starting<?>> services) {
    RuntimeException failure = null;
    for (final Starting<?> service : services) {
      try {
        service.started().join();
      } catch (CompletionException e) {
        final RuntimeException cause = e.getCause() instanceof RuntimeException runtime
            ? runtime : new IllegalStateException(e.getCause());
        if (failure == null) {
          failure = cause;
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    // Every start has ended, so every build has too: keep what was built, to be closed.
    for (final Starting<?> service : services) {
      if (!service.created().isCompletedExceptionally()) {
        track(service.created().join());
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * N processes of each service, each with its own ports and state directory, started together
   * (most of a JVM's start is waiting) and then awaited on their health endpoints.
   */
  private void startProcesses(final Options options) {
    final Path logs = options.dataDir().resolve("logs");
    final List<Map.Entry<ServiceProcess, URI>> starting = new ArrayList<>();
    for (int i = 0; i < options.layout().instances(); i++) {
      final int accountingPort = port(i, options.accountingPort());
      // Only the first instance keeps the configured metrics port; two could not both bind it.
      final String accountingMetricsPort = i == 0
          ? env.getOrDefault(AccountingConfig.METRICS_PORT.name(),
              Integer.toString(AccountingConfig.DEFAULT_METRICS_PORT))
          : Integer.toString(FreePorts.pick());
      starting.add(launch(Kind.ACCOUNTING, i, logs, Map.of(
          "TIERGATE_ACCOUNTING_PORT", Integer.toString(accountingPort),
          AccountingConfig.METRICS_PORT.name(), accountingMetricsPort,
          "TIERGATE_ACCOUNTING_ADVERTISED_HOST", "127.0.0.1"), accountingPort, options));
      if (i == 0) {
        accountingUrl = "http://" + clientHost(AccountingConfig.HOST) + ":" + accountingPort;
      }
      launch(Kind.BATCH_PROGRESS, i, logs, Map.of(), -1, options);
      final int routerPort = FreePorts.pick();
      starting.add(launch(Kind.ROUTER, i, logs,
          Map.of(RouterConfig.PORT.name(), Integer.toString(routerPort)), routerPort, options));
      if (options.inProcessDispatcher()) {
        final int dispatcherPort = FreePorts.pick();
        starting.add(launch(Kind.DISPATCHER, i, logs, Map.of(
            DispatcherConfig.METRICS_PORT.name(), Integer.toString(dispatcherPort)),
            dispatcherPort, options));
      }
      final int ingressPort = port(i, options.ingressPort());
      starting.add(launch(Kind.INGRESS, i, logs, Map.of(
          "TIERGATE_INGRESS_PORT", Integer.toString(ingressPort),
          IngressConfig.METRICS_PORT.name(), Integer.toString(FreePorts.pick())),
          ingressPort, options));
      ingressUrls.add("http://" + clientHost(IngressConfig.HOST) + ":" + ingressPort);
    }
    for (final Map.Entry<ServiceProcess, URI> service : starting) {
      service.getKey().awaitHealthy(service.getValue(), PROCESS_START_TIMEOUT);
    }
  }

  /** The first instance takes the configured port (0: a free one); the others take free ports. */
  private static int port(final int instance, final int configured) {
    return instance == 0 && configured != 0 ? configured : FreePorts.pick();
  }

  private Map.Entry<ServiceProcess, URI> launch(
      final Kind kind, final int instance, final Path logs, final Map<String, String> own,
      final int healthPort, final Options options) {
    final Map<String, String> processEnv = new HashMap<>(env);
    processEnv.put("TIERGATE_STATE_DIR", options.dataDir()
        .resolve("streams-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + instance).toString());
    processEnv.putAll(own);
    final ServiceProcess process = track(ServiceProcess.start(kind, instance, processEnv, logs));
    processes.add(process);
    // The ingress is ready once its key, model and route tables are read; the others when healthy.
    final String probe = kind == Kind.INGRESS ? "/ready" : "/health";
    return Map.entry(process, URI.create("http://127.0.0.1:" + healthPort + probe));
  }

  /** Tables are small here: a stack is ready to use when start returns. */
  private void awaitIngressReady() {
    try {
      if (!ingress.awaitReady(INGRESS_READY_TIMEOUT)) {
        LOG.warn("ingress not ready after {}; chat requests answer 503 until it is", INGRESS_READY_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the ingress", e);
    }
  }

  /** The embedded broker and registry, or the external cluster with its topics and schemas provisioned. */
  private KafkaSettings startCluster(final Options options) {
    if (options.externalCluster().isEmpty()) {
      localStack = track(LocalStack.start(options.dataDir(), options.layout().brokers()));
      kafkaSettings = localStack.kafkaSettings();
      return kafkaSettings;
    }
    kafkaSettings = options.externalCluster().get();
    LOG.info("Using the external cluster at {}", kafkaSettings.bootstrapServers());
    try (Admin admin = Admin.create(kafkaSettings.clientProperties(Map.of()))) {
      new TopicProvisioner(admin).provision(Topics.ALL);
    }
    SchemaCatalogue.registerAll(kafkaSettings);
    return kafkaSettings;
  }

  /**
   * The settings that bind every HTTP port of the services (APIs, metrics, health) to one
   * interface; the embedded broker, registry and simulator stay on 127.0.0.1 whatever this says.
   */
  public static Map<String, String> bindEnv(final String host) {
    Objects.requireNonNull(host, "host");
    return Map.of(
        IngressConfig.HOST.name(), host,
        AccountingConfig.HOST.name(), host,
        RouterConfig.HOST.name(), host,
        DispatcherConfig.METRICS_HOST.name(), host);
  }

  private Map<String, String> serviceEnv(final Options options, final KafkaSettings kafka) {
    final Map<String, String> env = new HashMap<>(bindEnv(DEFAULT_BIND_HOST));
    // Zero-config: the demo key is on unless the options bring keys of their own.
    env.put(VirtualKeySpec.DEMO_MODE.name(), "true");
    env.put(KafkaSettings.BOOTSTRAP_ENV, kafka.bootstrapServers());
    env.put(KafkaSettings.REGISTRY_ENV, kafka.schemaRegistryUrl());
    env.put("TIERGATE_STATE_DIR", options.dataDir().resolve("streams").toString());
    env.put("TIERGATE_INGRESS_PORT", Integer.toString(options.ingressPort()));
    // With a free API port (tests, parallel stacks) the metrics port is free too; else the default.
    if (options.ingressPort() == 0) {
      env.put(IngressConfig.METRICS_PORT.name(), "0");
    }
    env.put("TIERGATE_ACCOUNTING_PORT", Integer.toString(options.accountingPort()));
    if (options.accountingPort() == 0) {
      env.put(AccountingConfig.METRICS_PORT.name(), "0");
    }
    env.put("TIERGATE_REPLY_TIMEOUT", Long.toString(options.replyTimeout().toMillis()));
    // Keep the external cluster's pass-through client settings (security, SASL) for every service.
    kafka.clientProperties().forEach(
        (name, value) -> env.putIfAbsent(
            "KAFKA_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), value));
    env.putAll(simulatedProviders(simulator.baseUrl()));
    env.putAll(options.serviceEnvOverrides());
    return Map.copyOf(env);
  }

  /**
   * The dispatcher's settings that have every provider of the default catalogue played by the
   * simulator at {@code simulatorUrl}, under its own prefix and in its own wire format (Anthropic
   * and Google speak theirs; the others OpenAI's).
   */
  public static Map<String, String> simulatedProviders(final String simulatorUrl) {
    final Map<String, String> providerPaths =
        Map.of("openai", "/v1", "local", "/v1", "anthropic", "/v1", "google", "/v1beta");
    final Map<String, String> env = new HashMap<>();
    providerPaths.forEach((provider, version) -> {
      final String prefix = "TIERGATE_PROVIDER_" + provider.toUpperCase(java.util.Locale.ROOT);
      env.put(prefix + "_BASE_URL", simulatorUrl + "/" + provider + version);
      env.put(prefix + "_API_KEY", SIMULATED_PROVIDER_KEY);
    });
    return env;
  }

  private <T extends AutoCloseable> T track(final T component) {
    running.push(component);
    return component;
  }

  public String ingressUrl() {
    return ingressUrls.get(0);
  }

  /** Every ingress instance's base URL (one unless the services run as separate processes). */
  public List<String> ingressUrls() {
    return List.copyOf(ingressUrls);
  }

  /** The services' processes, in start order; empty when they run in this process. */
  public List<ServiceProcess> processes() {
    return List.copyOf(processes);
  }

  /** The embedded multi-node Kafka cluster, to kill and restart brokers; empty otherwise. */
  public Optional<BrokerCluster> brokerCluster() {
    return localStack == null ? Optional.empty() : localStack.cluster();
  }

  /** The ingress's Prometheus endpoint ({@code /metrics} on its own port); empty in process mode. */
  public String ingressMetricsUrl() {
    return ingress == null ? "(per process; see the logs)"
        : "http://" + clientHost(IngressConfig.HOST) + ":" + ingress.metricsPort() + "/metrics";
  }

  /** Where a client on this machine reaches a service bound by the given host setting. */
  private String clientHost(final Setting<String> hostSetting) {
    final String bound = env.getOrDefault(hostSetting.name(), DEFAULT_BIND_HOST);
    return "0.0.0.0".equals(bound) || "::".equals(bound) ? DEFAULT_BIND_HOST : bound;
  }

  /** Whether the well-known demo key authenticates on this stack (no keys of its own were given). */
  public boolean demoKeyActive() {
    return IngressConfig.fromEnv(env).virtualKeys().authenticate(DEMO_KEY).isPresent();
  }

  /** The in-process dispatcher's Prometheus endpoint; empty when dispatching runs elsewhere or it is off. */
  public Optional<String> dispatcherMetricsUrl() {
    return dispatcher == null || dispatcher.metricsPort() < 0
        ? Optional.empty()
        : Optional.of("http://" + clientHost(DispatcherConfig.METRICS_HOST) + ":"
            + dispatcher.metricsPort() + "/metrics");
  }

  /** The accounting service's Prometheus endpoint ({@code /metrics} on its own port). */
  public String accountingMetricsUrl() {
    return accounting == null ? "(per process; see the logs)"
        : "http://" + clientHost(AccountingConfig.HOST) + ":" + accounting.metricsPort()
            + "/metrics";
  }

  /** The router's {@code /health} (its only HTTP port; empty when turned off). */
  public Optional<String> routerHealthUrl() {
    return router == null || router.port() < 0
        ? Optional.empty()
        : Optional.of("http://" + clientHost(RouterConfig.HOST) + ":" + router.port() + "/health");
  }

  public String accountingUrl() {
    return accountingUrl;
  }

  public String simulatorUrl() {
    return simulator.baseUrl();
  }

  public ProviderSimulator simulator() {
    return simulator;
  }

  public KafkaSettings kafkaSettings() {
    return kafkaSettings;
  }

  /**
   * The environment-style settings the services were started with, so a service run elsewhere (a
   * child JVM) can join the same pipeline; it holds the simulated provider key.
   */
  public Map<String, String> serviceEnv() {
    return env;
  }

  public Duration startupTime() {
    return startupTime;
  }

  /** Stops every component in reverse start order; safe to call twice (e.g. from a hook). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    while (!running.isEmpty()) {
      final AutoCloseable component = running.pop();
      try {
        component.close();
      } catch (Exception e) {
        LOG.warn("Failed to stop {}", component.getClass().getSimpleName(), e);
      }
    }
  }
}
