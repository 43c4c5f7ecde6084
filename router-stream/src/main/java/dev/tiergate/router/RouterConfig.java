package dev.tiergate.router;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings of the router Streams app, each declared once below and read from environment-style
 * variables (the router README's table is rendered from them). The router sits on the request
 * path, so its Streams defaults trade throughput for latency (see DESIGN.md, "Streams latency");
 * any of them can be overridden with a {@code KAFKA_*} pass-through variable, e.g. {@code
 * KAFKA_COMMIT_INTERVAL_MS=100}.
 * A copy with one field changed is {@code withField(value)}, generated with the record
 * ({@code @RecordBuilder}).
 */
@EntryPoint
@RecordBuilder
public record RouterConfig(
    KafkaSettings kafka,
    String applicationId,
    String defaultTier,
    Path stateDir,
    Duration startTimeout,
    Duration closeTimeout,
    int httpPort,
    Policy policy,
    String httpHost) implements RouterConfigBuilder.With {

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

    /**
     * How far a session's stored last-seen time may lag its last request: a tenth of the idle
     * time, so a session staying on its model writes its store entry (and changelog record) at
     * most once per tenth of the idle time, and the idle sweep forgets it between {@code
     * sessionIdle} and {@code sessionIdle} plus this after its last request.
     */
    public Duration sessionRefresh() {
      return sessionIdle.dividedBy(SESSION_REFRESH_SHARE);
    }

    public static Policy defaults() {
      return new Policy(DEFAULT_SWITCH_FACTOR, DEFAULT_SESSION_IDLE, DEFAULT_BUDGET_REFRESH, true,
          ReservationPolicy.defaults(), true, true);
    }

    public Policy withSwitchFactor(final double factor) {
      return new Policy(factor, sessionIdle, budgetRefresh, predict, reservations, backgroundCalls,
          embeddings);
    }

    public Policy withSessionIdle(final Duration idle) {
      return new Policy(switchFactor, idle, budgetRefresh, predict, reservations, backgroundCalls,
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
  }

  public static final String DEFAULT_APP_ID = "tiergate-router";
  public static final String DEFAULT_TIER = "balanced";
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  public static final double DEFAULT_SWITCH_FACTOR = 2.0;
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofDays(1);
  /** The session refresh is this share of the idle time ({@link Policy#sessionRefresh}). */
  static final int SESSION_REFRESH_SHARE = 10;
  public static final Duration DEFAULT_BUDGET_REFRESH = Duration.ofMillis(500);
  /**
   * All interfaces: the port serves only {@code /health} and {@code /metrics}, and the Kubernetes
   * Service is cluster-internal.
   */
  public static final String DEFAULT_HOST = OpsServer.DEFAULT_HOST;
  /** No HTTP endpoint at all. */
  public static final int NO_PORT = Settings.NO_PORT;

  public static final Setting<String> APP_ID = Setting.text("TIERGATE_ROUTER_APP_ID")
      .withDefault(DEFAULT_APP_ID).withDescription("Streams `application.id`");
  public static final Setting<String> TIER = Setting.text("TIERGATE_DEFAULT_TIER")
      .withDefault(DEFAULT_TIER)
      .withDescription("tier of requests that name none, and the fallback tier of unknown tiers");
  public static final Setting<Path> STATE_DIR = StreamsRunner.STATE_DIR
      .withDefault(RouterConfig::defaultStateDir, "`<java.io.tmpdir>/tiergate-streams`");
  public static final Setting<Duration> START_TIMEOUT =
      Setting.millis("TIERGATE_ROUTER_START_TIMEOUT_MS").withDefault(DEFAULT_START_TIMEOUT)
          .atLeast(0).withDescription("how long `start()` waits for RUNNING");
  public static final Setting<Duration> CLOSE_TIMEOUT =
      Setting.millis("TIERGATE_ROUTER_CLOSE_TIMEOUT_MS").withDefault(DEFAULT_CLOSE_TIMEOUT)
          .atLeast(0).withDescription("bound of a clean shutdown");
  public static final Setting<Integer> PORT =
      OpsServer.portSetting("TIERGATE_ROUTER_PORT", "RouterService.port()");
  public static final Setting<String> HOST = OpsServer.hostSetting("TIERGATE_ROUTER_HOST");
  public static final Setting<Double> SWITCH_FACTOR =
      Setting.decimal("TIERGATE_ROUTER_SWITCH_FACTOR").withDefault(DEFAULT_SWITCH_FACTOR)
          .withDescription("how many times cheaper a new model must be before a session leaves"
              + " its last model (and its prompt cache)");
  public static final Setting<Duration> SESSION_IDLE =
      Setting.millis("TIERGATE_ROUTER_SESSION_IDLE_MS").withDefault(DEFAULT_SESSION_IDLE)
          .atLeast(1).withDescription("a session not seen for this long is forgotten (a day)");
  public static final Setting<Duration> BUDGET_REFRESH =
      Setting.millis("TIERGATE_ROUTER_BUDGET_REFRESH_MS").withDefault(DEFAULT_BUDGET_REFRESH)
          .atLeast(0)
          .withDescription("how stale the router's index of budget states may get; 0 reads the"
              + " budget store on every request");
  public static final Setting<String> PREDICT = Setting.text("TIERGATE_ROUTER_PREDICT")
      .withDefault("true")
      .withDescription("`true` scores requests without a mode with the shipped difficulty"
          + " predictor (sentence embedding blended with n-grams); `ngram` with the n-gram model"
          + " alone (no embedding model loaded, microseconds a request); `false` sends them to the"
          + " tier default");
  public static final Setting<Boolean> BACKGROUND_CALLS =
      Setting.flag("TIERGATE_ROUTER_BACKGROUND_CALLS", true)
          .withDescription("`true` sends requests shaped like agents' side calls (titles,"
              + " summaries, commit messages…) to the small tier with the inferred mode; `false`"
              + " leaves them to their mode and the predictor");

  /** Every setting, budget reservations' included, in the order of the README's table. */
  public static final List<Setting<?>> SETTINGS = Stream.concat(
      Stream.of(KafkaSettings.BOOTSTRAP_SERVERS, KafkaSettings.SCHEMA_REGISTRY_URL, APP_ID,
          TIER, STATE_DIR, START_TIMEOUT, CLOSE_TIMEOUT, PORT, HOST, SWITCH_FACTOR,
          SESSION_IDLE, BUDGET_REFRESH, PREDICT, BACKGROUND_CALLS),
      ReservationPolicy.SETTINGS.stream()).toList();


  /**
   * How long an idle stream thread blocks in poll: a fetch returns as soon as a request arrives, so
   * this bounds only idle wake-ups (and wall-clock punctuation: the session and reservation sweeps),
   * not latency, and the router's at-least-once commit holds no output back. At 10 ms the idle
   * router used 3.9 % of a core, at 100 ms 0.5–0.7 %, at 500 ms 0.2 % (benchmarks/run.sh idle,
   * docs/benchmarks.md).
   */
  static final long IDLE_POLL_MS = 500L;
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
    httpHost = Settings.requireText(httpHost, "httpHost").trim();
    Settings.requirePortOrOff(httpPort, "http port");
    applicationId = Settings.requireText(applicationId, "applicationId").trim();
    defaultTier = Settings.requireText(defaultTier, "defaultTier").trim().toLowerCase(Locale.ROOT);
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
    final Settings settings = Settings.of(env);
    final String predict = settings.get(PREDICT).trim();
    return new RouterConfig(
        KafkaSettings.fromEnv(env),
        settings.get(APP_ID),
        settings.get(TIER),
        settings.get(STATE_DIR),
        settings.get(START_TIMEOUT),
        settings.get(CLOSE_TIMEOUT),
        settings.get(PORT),
        new Policy(
            settings.get(SWITCH_FACTOR),
            settings.get(SESSION_IDLE),
            settings.get(BUDGET_REFRESH),
            !"false".equalsIgnoreCase(predict),
            ReservationPolicy.fromEnv(env),
            settings.get(BACKGROUND_CALLS),
            !"ngram".equalsIgnoreCase(predict)),
        settings.get(HOST));
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
    // A task reads a request partition and the same-numbered usage partition, which only merge into
    // the reservations repartition: no order between the two to wait for. Idling would hold a
    // request back until the usage partition's lag is known, and Streams 4 formats log text for
    // every empty partition on every loop while a task may idle.
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
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
}
