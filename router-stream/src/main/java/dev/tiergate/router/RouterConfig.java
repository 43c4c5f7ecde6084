package dev.tiergate.router;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings of the router Streams app. The router sits on the request path, so its defaults trade
 * throughput for latency (see DESIGN.md, "Streams latency"); any of them can be overridden with a
 * {@code KAFKA_*} pass-through variable, e.g. {@code KAFKA_COMMIT_INTERVAL_MS=100}.
 *
 * <p>Environment variables, with defaults:
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL}: required (see {@link
 *       KafkaSettings})
 *   <li>{@code TIERGATE_ROUTER_APP_ID}: Streams {@code application.id}, default {@value
 *       #DEFAULT_APP_ID}
 *   <li>{@code TIERGATE_DEFAULT_TIER}: tier of requests that name none, and the fallback tier of
 *       unknown tiers, default {@value #DEFAULT_TIER}
 *   <li>{@code TIERGATE_STATE_DIR}: Streams state directory, default {@code
 *       <java.io.tmpdir>/tiergate-streams}
 *   <li>{@code TIERGATE_ROUTER_START_TIMEOUT_MS}: how long {@code start()} waits for RUNNING,
 *       default 30000
 *   <li>{@code TIERGATE_ROUTER_CLOSE_TIMEOUT_MS}: bound of a clean shutdown, default 10000
 *   <li>{@code TIERGATE_ROUTER_PORT}: HTTP port of {@code /metrics} and {@code /health}, default 0
 *       (a free port, logged and readable from {@code RouterService.port()}); -1 turns it off
 *   <li>{@code TIERGATE_ROUTER_HOST}: interface that HTTP port binds, default {@value
 *       #DEFAULT_HOST} (probes reach a pod at its address); {@code 127.0.0.1} keeps it local
 *   <li>{@code TIERGATE_ROUTER_SWITCH_FACTOR}: how many times cheaper a new model must be before a
 *       session leaves its last model (and its prompt cache), default {@value
 *       #DEFAULT_SWITCH_FACTOR}
 *   <li>{@code TIERGATE_ROUTER_SESSION_IDLE_MS}: a session not seen for this long is forgotten,
 *       default 86400000 (a day)
 *   <li>{@code TIERGATE_ROUTER_BUDGET_REFRESH_MS}: how stale the router's index of budget states may
 *       get, default 500; 0 reads the budget store on every request
 *   <li>{@code TIERGATE_ROUTER_PREDICT}: {@code true} (default) scores requests without a mode with
 *       the shipped difficulty predictor (sentence embedding blended with n-grams); {@code ngram}
 *       with the n-gram model alone (no embedding model loaded, microseconds a request); {@code
 *       false} sends them to the tier default
 *   <li>{@code TIERGATE_ROUTER_BACKGROUND_CALLS}: {@code true} (default) sends requests shaped like
 *       agents' side calls (titles, summaries, commit messages…) to the small tier with the
 *       inferred mode; {@code false} leaves them to their mode and the predictor
 *   <li>budget reservations: see {@link ReservationPolicy}
 * </ul>
 */
@EntryPoint
public record RouterConfig(
    KafkaSettings kafka,
    String applicationId,
    String defaultTier,
    Path stateDir,
    Duration startTimeout,
    Duration closeTimeout,
    int httpPort,
    Policy policy,
    String httpHost) {

  /**
   * The routing knobs beyond the table: stickiness, session expiry, budget index freshness and
   * whether the predictor runs.
   */
  public record Policy(
      double switchFactor,
      Duration sessionIdle,
      Duration budgetRefresh,
      boolean predict,
      ReservationPolicy reservations,
      boolean backgroundCalls,
      boolean embeddings) {
    public Policy {
      Objects.requireNonNull(sessionIdle, "sessionIdle");
      Objects.requireNonNull(reservations, "reservations");
      Objects.requireNonNull(budgetRefresh, "budgetRefresh");
      if (!(switchFactor >= 1.0) || Double.isInfinite(switchFactor)) {
        throw new IllegalArgumentException("switch factor must be a number >= 1: " + switchFactor);
      }
      if (sessionIdle.isNegative() || sessionIdle.isZero() || budgetRefresh.isNegative()) {
        throw new IllegalArgumentException("session idle must be > 0 and budget refresh >= 0");
      }
    }

    public static Policy defaults() {
      return new Policy(DEFAULT_SWITCH_FACTOR, DEFAULT_SESSION_IDLE, DEFAULT_BUDGET_REFRESH, true,
          ReservationPolicy.defaults(), true, true);
    }

    public Policy withSwitchFactor(final double factor) {
      return new Policy(factor, sessionIdle, budgetRefresh, predict, reservations, backgroundCalls,
          embeddings);
    }

    public Policy withBudgetRefresh(final Duration refresh) {
      return new Policy(switchFactor, sessionIdle, refresh, predict, reservations, backgroundCalls,
          embeddings);
    }

    public Policy withPredict(final boolean enabled) {
      return new Policy(switchFactor, sessionIdle, budgetRefresh, enabled, reservations,
          backgroundCalls, embeddings);
    }

    public Policy withReservations(final ReservationPolicy policy) {
      return new Policy(switchFactor, sessionIdle, budgetRefresh, predict, policy, backgroundCalls,
          embeddings);
    }

    public Policy withBackgroundCalls(final boolean enabled) {
      return new Policy(switchFactor, sessionIdle, budgetRefresh, predict, reservations, enabled,
          embeddings);
    }

    /** {@code false}: the n-gram predictor alone (no embedding model loaded). */
    public Policy withEmbeddings(final boolean enabled) {
      return new Policy(switchFactor, sessionIdle, budgetRefresh, predict, reservations,
          backgroundCalls, enabled);
    }
  }

  public static final String APP_ID_ENV = "TIERGATE_ROUTER_APP_ID";
  public static final String DEFAULT_TIER_ENV = "TIERGATE_DEFAULT_TIER";
  public static final String STATE_DIR_ENV = "TIERGATE_STATE_DIR";
  public static final String START_TIMEOUT_ENV = "TIERGATE_ROUTER_START_TIMEOUT_MS";
  public static final String CLOSE_TIMEOUT_ENV = "TIERGATE_ROUTER_CLOSE_TIMEOUT_MS";
  public static final String PORT_ENV = "TIERGATE_ROUTER_PORT";
  public static final String HOST_ENV = "TIERGATE_ROUTER_HOST";
  public static final String SWITCH_FACTOR_ENV = "TIERGATE_ROUTER_SWITCH_FACTOR";
  public static final String SESSION_IDLE_ENV = "TIERGATE_ROUTER_SESSION_IDLE_MS";
  public static final String BUDGET_REFRESH_ENV = "TIERGATE_ROUTER_BUDGET_REFRESH_MS";
  public static final String PREDICT_ENV = "TIERGATE_ROUTER_PREDICT";
  public static final String BACKGROUND_CALLS_ENV = "TIERGATE_ROUTER_BACKGROUND_CALLS";

  public static final String DEFAULT_APP_ID = "tiergate-router";
  public static final String DEFAULT_TIER = "balanced";
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  public static final double DEFAULT_SWITCH_FACTOR = 2.0;
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofDays(1);
  public static final Duration DEFAULT_BUDGET_REFRESH = Duration.ofMillis(500);
  /**
   * All interfaces: probes and scrapers reach a pod at its own address. The port serves only
   * {@code /health} and {@code /metrics}, and the Kubernetes Service is cluster-internal.
   */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** No HTTP endpoint at all. */
  public static final int NO_PORT = -1;

  /**
   * How long an idle stream thread blocks in poll: a fetch returns as soon as a request arrives, so
   * this bounds only idle wake-ups (and wall-clock punctuation), not latency. At 10 ms the idle
   * router used 3.9 % of a core, at 100 ms 0.7 % (benchmarks/run.sh idle, docs/benchmarks.md).
   */
  static final long IDLE_POLL_MS = 100L;
  /**
   * Commit once a second. An at-least-once commit does not hold output back, but it flushes the
   * stores and commits offsets synchronously on the stream thread, so committing every 10 ms kept
   * that thread busy and queued requests at a few hundred per second (docs/benchmarks.md). A longer
   * interval only widens what a crashed router routes again, which the dispatcher de-duplicates by
   * correlation id.
   */
  static final long COMMIT_INTERVAL_MS = 1_000L;

  public RouterConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(startTimeout, "startTimeout");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(policy, "policy");
    httpHost = requireText(httpHost, "httpHost");
    if (httpPort < NO_PORT || httpPort > 65_535) {
      throw new IllegalArgumentException("http port must be -1 (off), 0 (free) or a port: " + httpPort);
    }
    applicationId = requireText(applicationId, "applicationId");
    defaultTier = requireText(defaultTier, "defaultTier").toLowerCase(Locale.ROOT);
    if (startTimeout.isNegative() || closeTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
  }

  /** A config with every default, for tests and the all-in-one launcher. */
  public static RouterConfig defaults(final KafkaSettings kafka) {
    return new RouterConfig(
        kafka,
        DEFAULT_APP_ID,
        DEFAULT_TIER,
        defaultStateDir(),
        DEFAULT_START_TIMEOUT,
        DEFAULT_CLOSE_TIMEOUT,
        0,
        Policy.defaults(),
        DEFAULT_HOST);
  }

  /** Reads the config from environment-style variables; fails fast on a missing or bad value. */
  public static RouterConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new RouterConfig(
        KafkaSettings.fromEnv(env),
        env.getOrDefault(APP_ID_ENV, DEFAULT_APP_ID),
        env.getOrDefault(DEFAULT_TIER_ENV, DEFAULT_TIER),
        env.containsKey(STATE_DIR_ENV) ? Path.of(env.get(STATE_DIR_ENV)) : defaultStateDir(),
        millis(env, START_TIMEOUT_ENV, DEFAULT_START_TIMEOUT),
        millis(env, CLOSE_TIMEOUT_ENV, DEFAULT_CLOSE_TIMEOUT),
        port(env),
        new Policy(
            factor(env),
            millis(env, SESSION_IDLE_ENV, DEFAULT_SESSION_IDLE),
            millis(env, BUDGET_REFRESH_ENV, DEFAULT_BUDGET_REFRESH),
            !"false".equalsIgnoreCase(env.getOrDefault(PREDICT_ENV, "true").trim()),
            ReservationPolicy.fromEnv(env),
            !"false".equalsIgnoreCase(env.getOrDefault(BACKGROUND_CALLS_ENV, "true").trim()),
            !"ngram".equalsIgnoreCase(env.getOrDefault(PREDICT_ENV, "true").trim())),
        env.getOrDefault(HOST_ENV, DEFAULT_HOST));
  }

  public RouterConfig withApplicationId(final String id) {
    return new RouterConfig(
        kafka, id, defaultTier, stateDir, startTimeout, closeTimeout, httpPort, policy, httpHost);
  }

  public RouterConfig withDefaultTier(final String tier) {
    return new RouterConfig(
        kafka, applicationId, tier, stateDir, startTimeout, closeTimeout, httpPort, policy, httpHost);
  }

  public RouterConfig withStateDir(final Path dir) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, dir, startTimeout, closeTimeout, httpPort, policy, httpHost);
  }

  public RouterConfig withStartTimeout(final Duration timeout) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, stateDir, timeout, closeTimeout, httpPort, policy, httpHost);
  }

  public RouterConfig withCloseTimeout(final Duration timeout) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, stateDir, startTimeout, timeout, httpPort, policy, httpHost);
  }

  public RouterConfig withHttpPort(final int port) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, stateDir, startTimeout, closeTimeout, port, policy, httpHost);
  }

  public RouterConfig withHttpHost(final String host) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, stateDir, startTimeout, closeTimeout, httpPort, policy, host);
  }

  public RouterConfig withPolicy(final Policy other) {
    return new RouterConfig(
        kafka, applicationId, defaultTier, stateDir, startTimeout, closeTimeout, httpPort, other, httpHost);
  }

  /**
   * A fresh copy of the Streams properties: low-latency defaults, then the {@code KAFKA_*}
   * pass-through, then what this config owns (application id, state dir, optimisation).
   */
  public Properties streamsProperties() {
    final Properties props = new Properties();
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(COMMIT_INTERVAL_MS));
    props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(IDLE_POLL_MS));
    // Only the tables are deserialized by Streams itself (requests are decoded in the topology and
    // dead-lettered there); a bad rule or model is dead-lettered and skipped, the old value stays.
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        TableDeadLetterHandler.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // A routed record that cannot be produced goes to the dead-letter topic and its caller gets an
    // error reply, instead of failing the thread and re-reading the same request forever.
    props.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RouterProductionHandler.class.getName());
    props.put(
        StreamsConfig.producerPrefix(BusLimits.MAX_REQUEST_SIZE_CONFIG),
        String.valueOf(BusLimits.MAX_RECORD_BYTES));
    props.putAll(kafka.clientProperties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    return props;
  }

  private static Path defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "tiergate-streams");
  }

  private static Duration millis(
      final Map<String, String> env, final String name, final Duration fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Duration.ofMillis(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number of milliseconds: " + value, e);
    }
  }

  private static int port(final Map<String, String> env) {
    final String value = env.get(PORT_ENV);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PORT_ENV + " must be a port number: " + value, e);
    }
  }

  private static double factor(final Map<String, String> env) {
    final String value = env.get(SWITCH_FACTOR_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_SWITCH_FACTOR;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SWITCH_FACTOR_ENV + " must be a number: " + value, e);
    }
  }

  private static String requireText(final String value, final String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value.trim();
  }
}
