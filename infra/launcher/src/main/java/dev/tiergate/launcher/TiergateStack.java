package dev.tiergate.launcher;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.AccountingService;
import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.dispatcher.DispatcherService;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.router.RouterConfig;
import dev.tiergate.router.RouterService;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.stack.LocalStack;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: embedded broker and registry, the provider simulator standing in
 * for every provider, and the four services, each configured through the same environment-style
 * settings it reads when it runs on its own.
 */
public final class TiergateStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TiergateStack.class);

  /** Demo key for the simulated providers: shows that provider keys stay out of Kafka and logs. */
  static final String SIMULATED_PROVIDER_KEY = "sk-sim-never-logged-0000";

  /**
   * @param dataDir broker log dirs and Streams state live here
   * @param ingressPort 0 for a free port
   * @param accountingPort 0 for a free port
   */
  public record Options(
      Path dataDir, int ingressPort, int accountingPort, Duration replyTimeout) {
    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(replyTimeout, "replyTimeout");
    }
  }

  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private LocalStack localStack;
  private ProviderSimulator simulator;
  private IngressService ingress;
  private AccountingService accounting;
  private Duration startupTime = Duration.ZERO;

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
    localStack = track(LocalStack.start(options.dataDir()));
    simulator = track(ProviderSimulator.start(SimulatorConfig.defaults()));
    final KafkaSettings kafka = localStack.kafkaSettings();
    final SerdeFactory serdes = kafka.serdes();
    DefaultRoutingTable.load().seed(kafka);

    final Map<String, String> env = serviceEnv(options, kafka);
    accounting = track(new AccountingService(AccountingConfig.fromEnv(env), serdes));
    final RouterService router = track(new RouterService(RouterConfig.fromEnv(env), serdes));
    final DispatcherService dispatcher =
        track(new DispatcherService(DispatcherConfig.fromEnv(env), serdes));
    ingress = track(new IngressService(IngressConfig.fromEnv(env), serdes));
    accounting.start();
    router.start();
    dispatcher.start();
    ingress.start();
    startupTime = Duration.ofNanos(System.nanoTime() - startedAt);
    LOG.info("Tiergate stack ready in {} ms", startupTime.toMillis());
  }

  private Map<String, String> serviceEnv(final Options options, final KafkaSettings kafka) {
    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP_ENV, kafka.bootstrapServers());
    env.put(KafkaSettings.REGISTRY_ENV, kafka.schemaRegistryUrl());
    env.put("TIERGATE_STATE_DIR", options.dataDir().resolve("streams").toString());
    env.put("TIERGATE_INGRESS_PORT", Integer.toString(options.ingressPort()));
    env.put("TIERGATE_ACCOUNTING_PORT", Integer.toString(options.accountingPort()));
    env.put("TIERGATE_REPLY_TIMEOUT", Long.toString(options.replyTimeout().toMillis()));
    // Every provider of the default catalogue is played by the one simulator, under its own prefix.
    for (final String provider : new String[] {"openai", "local"}) {
      final String prefix = "TIERGATE_PROVIDER_" + provider.toUpperCase(java.util.Locale.ROOT);
      env.put(prefix + "_BASE_URL", simulator.baseUrl() + "/" + provider + "/v1");
      env.put(prefix + "_API_KEY", SIMULATED_PROVIDER_KEY);
    }
    return env;
  }

  private <T extends AutoCloseable> T track(final T component) {
    running.push(component);
    return component;
  }

  public String ingressUrl() {
    return "http://127.0.0.1:" + ingress.port();
  }

  public String accountingUrl() {
    return "http://127.0.0.1:" + accounting.port();
  }

  public String simulatorUrl() {
    return simulator.baseUrl();
  }

  public ProviderSimulator simulator() {
    return simulator;
  }

  public KafkaSettings kafkaSettings() {
    return localStack.kafkaSettings();
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
