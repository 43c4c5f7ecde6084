package dev.tiergate.accounting;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Settings of the accounting stream, read from environment-style variables with the defaults below.
 * Money is at stake, so the Streams guarantee is fixed at {@code exactly_once_v2} and not configurable.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL}: required; other {@code KAFKA_*}
 *       pass through as Streams/client properties (e.g. {@code KAFKA_NUM_STREAM_THREADS}).
 *   <li>{@code TIERGATE_ACCOUNTING_APP_ID}: Streams application id, default {@value #DEFAULT_APP_ID}.
 *   <li>{@code TIERGATE_ACCOUNTING_HOST}: HTTP bind address, default {@value #DEFAULT_HOST}.
 *   <li>{@code TIERGATE_ACCOUNTING_PORT}: HTTP port, default {@value #DEFAULT_PORT}; 0 picks a free one.
 *   <li>{@code TIERGATE_ACCOUNTING_METRICS_PORT}: port of {@code GET /metrics} (Prometheus) and
 *       {@code GET /health}, on the same interface, separate from the query API so it can stay off
 *       the public network; default {@value #DEFAULT_METRICS_PORT}, 0 picks a free one, -1 turns it
 *       off.
 *   <li>{@code TIERGATE_STATE_DIR}: Streams state directory, default Streams' own (under the temp dir).
 *   <li>{@code TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS}: default 200; bounds how stale spend can be.
 *   <li>{@code TIERGATE_ACCOUNTING_PRESUM_MS}: how long spend deltas are summed per key before they
 *       cross the repartition, default 1000; adds to how stale spend can be (not budgets).
 *   <li>{@code KAFKA_STATESTORE_CACHE_MAX_BYTES}: the record cache, default 64 MB here.
 *   <li>{@code TIERGATE_ACCOUNTING_START_TIMEOUT_MS}: how long {@code start()} waits for RUNNING,
 *       default 30000.
 *   <li>{@code TIERGATE_ACCOUNTING_CLOSE_TIMEOUT_MS}: how long {@code close()} waits, default 10000.
 *   <li>{@code TIERGATE_ACCOUNTING_GRACE_MS}: how late (in event time) a usage may arrive and still
 *       land in its hour/day/month window, default 3600000 (one hour). Totals and budgets always
 *       count it.
 *   <li>{@code TIERGATE_ACCOUNTING_BUDGET_CHECK_MS}: how often budgets are re-checked for a new
 *       period or a changed limit without waiting for usage, default 5000.
 *   <li>{@code TIERGATE_ACCOUNTING_ADVERTISED_HOST}: the host other instances reach this one's HTTP
 *       API at ({@code application.server}), default the bind host, or {@code 127.0.0.1} when
 *       binding all interfaces.
 *   <li>{@code TIERGATE_SPEND_MAX_VALUES}: distinct values kept per tenant, dimension and UTC month
 *       in the spend aggregates, default {@value #DEFAULT_SPEND_MAX_VALUES}; later new values that
 *       month are counted under {@code (other)} ({@link SpendValueCap}).
 *   <li>{@code TIERGATE_VIRTUAL_KEYS}: static keys for the query API, {@code key=tenant:tier,...},
 *       the ingress's format; default none. Keys on {@code tiergate.virtual-keys} are accepted too,
 *       and without static keys the service refuses to start when that table holds no usable key.
 *   <li>{@code TIERGATE_DEMO}: {@code true} turns on the well-known demo key ({@value
 *       VirtualKeyTable#DEFAULT_SPEC}) when no static keys are set; {@code tiergate up} sets it.
 * </ul>
 *
 * @param stateDir empty for the Streams default
 */
@EntryPoint
public record AccountingConfig(
    KafkaSettings kafka,
    String applicationId,
    String host,
    int port,
    Optional<Path> stateDir,
    Duration commitInterval,
    Duration presumInterval,
    Duration startTimeout,
    Duration closeTimeout,
    Duration grace,
    Duration budgetCheckInterval,
    Optional<String> advertisedHost,
    String virtualKeys,
    int spendMaxValues,
    int metricsPort) {

  public static final String APP_ID_ENV = "TIERGATE_ACCOUNTING_APP_ID";
  public static final String HOST_ENV = "TIERGATE_ACCOUNTING_HOST";
  public static final String PORT_ENV = "TIERGATE_ACCOUNTING_PORT";
  public static final String STATE_DIR_ENV = "TIERGATE_STATE_DIR";
  public static final String COMMIT_INTERVAL_ENV = "TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS";
  public static final String PRESUM_INTERVAL_ENV = "TIERGATE_ACCOUNTING_PRESUM_MS";
  public static final String CACHE_BYTES_PROPERTY = "statestore.cache.max.bytes";
  public static final String START_TIMEOUT_ENV = "TIERGATE_ACCOUNTING_START_TIMEOUT_MS";
  public static final String CLOSE_TIMEOUT_ENV = "TIERGATE_ACCOUNTING_CLOSE_TIMEOUT_MS";
  public static final String GRACE_ENV = "TIERGATE_ACCOUNTING_GRACE_MS";
  public static final String BUDGET_CHECK_ENV = "TIERGATE_ACCOUNTING_BUDGET_CHECK_MS";
  public static final String ADVERTISED_HOST_ENV = "TIERGATE_ACCOUNTING_ADVERTISED_HOST";
  public static final String VIRTUAL_KEYS_ENV = "TIERGATE_VIRTUAL_KEYS";
  public static final String SPEND_MAX_VALUES_ENV = "TIERGATE_SPEND_MAX_VALUES";
  public static final String DEMO_ENV = "TIERGATE_DEMO";
  public static final String METRICS_PORT_ENV = "TIERGATE_ACCOUNTING_METRICS_PORT";

  public static final String DEFAULT_APP_ID = "tiergate-accounting";
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8083;
  /** {@code /metrics} and {@code /health} on their own port, off the public query API. */
  public static final int DEFAULT_METRICS_PORT = 9083;
  /** A metrics port of -1: no metrics server. */
  public static final int NO_METRICS_PORT = -1;
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);
  /**
   * One second: five commits' worth of requests per pre-summed record. Longer than the commit
   * interval on purpose, so budgets (not pre-summed) keep the short commit interval while spend
   * crosses the repartition once per key and second (measured: the benchmark in
   * accounting-stream/README.md).
   */
  public static final Duration DEFAULT_PRESUM_INTERVAL = Duration.ofSeconds(1);
  /** The record cache that collapses repeated keys between commits (Streams' default: 10 MB). */
  public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
  public static final Duration DEFAULT_BUDGET_CHECK = Duration.ofSeconds(5);
  /** Distinct values kept per tenant, dimension and UTC month; the rest count under (other). */
  public static final int DEFAULT_SPEND_MAX_VALUES = 1_000;

  public AccountingConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(stateDir, "stateDir");
    requirePositive(commitInterval, "commitInterval");
    requirePositive(presumInterval, "presumInterval");
    requirePositive(startTimeout, "startTimeout");
    requirePositive(closeTimeout, "closeTimeout");
    requirePositive(budgetCheckInterval, "budgetCheckInterval");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(advertisedHost, "advertisedHost");
    Objects.requireNonNull(virtualKeys, "virtualKeys");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    if (applicationId.isBlank()) {
      throw new IllegalArgumentException("applicationId must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (spendMaxValues < 1) {
      throw new IllegalArgumentException("spendMaxValues must be positive: " + spendMaxValues);
    }
    if (metricsPort < NO_METRICS_PORT || metricsPort > 65_535) {
      throw new IllegalArgumentException("metrics port out of range: " + metricsPort);
    }
  }

  /** The settings with the default cap on distinct spend values and no metrics port. */
  public AccountingConfig(
      final KafkaSettings kafka,
      final String applicationId,
      final String host,
      final int port,
      final Optional<Path> stateDir,
      final Duration commitInterval,
      final Duration presumInterval,
      final Duration startTimeout,
      final Duration closeTimeout,
      final Duration grace,
      final Duration budgetCheckInterval,
      final Optional<String> advertisedHost,
      final String virtualKeys) {
    this(kafka, applicationId, host, port, stateDir, commitInterval, presumInterval, startTimeout,
        closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys,
        DEFAULT_SPEND_MAX_VALUES, NO_METRICS_PORT);
  }

  /**
   * The defaults above around the given cluster, with the demo key and metrics on a free port;
   * handy for tests.
   */
  public static AccountingConfig defaults(final KafkaSettings kafka) {
    return new AccountingConfig(
        kafka, DEFAULT_APP_ID, DEFAULT_HOST, DEFAULT_PORT, Optional.empty(),
        DEFAULT_COMMIT_INTERVAL, DEFAULT_PRESUM_INTERVAL, DEFAULT_START_TIMEOUT,
        DEFAULT_CLOSE_TIMEOUT, DEFAULT_GRACE,
        DEFAULT_BUDGET_CHECK, Optional.empty(), VirtualKeyTable.DEFAULT_SPEC,
        DEFAULT_SPEND_MAX_VALUES, 0);
  }

  /** Reads the settings; fails fast on a missing or malformed value. */
  public static AccountingConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new AccountingConfig(
        KafkaSettings.fromEnv(env),
        env.getOrDefault(APP_ID_ENV, DEFAULT_APP_ID),
        env.getOrDefault(HOST_ENV, DEFAULT_HOST),
        port(env),
        Optional.ofNullable(env.get(STATE_DIR_ENV)).filter(dir -> !dir.isBlank()).map(Path::of),
        millis(env, COMMIT_INTERVAL_ENV, DEFAULT_COMMIT_INTERVAL),
        millis(env, PRESUM_INTERVAL_ENV, DEFAULT_PRESUM_INTERVAL),
        millis(env, START_TIMEOUT_ENV, DEFAULT_START_TIMEOUT),
        millis(env, CLOSE_TIMEOUT_ENV, DEFAULT_CLOSE_TIMEOUT),
        millis(env, GRACE_ENV, DEFAULT_GRACE),
        millis(env, BUDGET_CHECK_ENV, DEFAULT_BUDGET_CHECK),
        Optional.ofNullable(env.get(ADVERTISED_HOST_ENV)).filter(h -> !h.isBlank()),
        virtualKeys(env),
        (int) number(env, SPEND_MAX_VALUES_ENV, DEFAULT_SPEND_MAX_VALUES),
        metricsPort(env));
  }

  /** The static keys; the demo key only with {@code TIERGATE_DEMO=true}, else none. */
  private static String virtualKeys(final Map<String, String> env) {
    final String spec = env.get(VIRTUAL_KEYS_ENV);
    if (spec != null && !spec.isBlank()) {
      return spec;
    }
    final boolean demo = "true".equalsIgnoreCase(env.getOrDefault(DEMO_ENV, "false").trim());
    return demo ? VirtualKeyTable.DEFAULT_SPEC : "";
  }

  public AccountingConfig withPort(final int newPort) {
    return new AccountingConfig(kafka, applicationId, host, newPort, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withHost(final String newHost) {
    return new AccountingConfig(kafka, applicationId, newHost, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withStateDir(final Path dir) {
    return new AccountingConfig(kafka, applicationId, host, port, Optional.of(dir), commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withStartTimeout(final Duration timeout) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, timeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withCloseTimeout(final Duration timeout) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, timeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withGrace(final Duration newGrace) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, newGrace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withBudgetCheckInterval(final Duration interval) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, interval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withApplicationId(final String id) {
    return new AccountingConfig(kafka, id, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withPresumInterval(final Duration interval) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        interval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost,
        virtualKeys, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withVirtualKeys(final String spec) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost, spec, spendMaxValues,
        metricsPort);
  }

  public AccountingConfig withSpendMaxValues(final int maxValues) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost,
        virtualKeys, maxValues, metricsPort);
  }

  /** The host other instances reach this one at. */
  public String advertisedHostOrDefault() {
    return advertisedHost.orElse("0.0.0.0".equals(host) ? "127.0.0.1" : host);
  }

  /** A fresh copy of the Streams properties; the caller may change it. */
  public Properties streamsProperties() {
    final Map<String, Object> overrides = new HashMap<>();
    overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    overrides.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    overrides.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    if (!kafka.clientProperties().containsKey(CACHE_BYTES_PROPERTY)) {
      overrides.put(CACHE_BYTES_PROPERTY, DEFAULT_CACHE_BYTES);
    }
    // Usage is read as bytes and dead-lettered by the topology itself; this handler only covers a
    // corrupt catalogue entry, which then counts as an unknown (flagged) model instead of stopping
    // the global thread.
    overrides.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    overrides.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionHandler.class.getName());
    overrides.put(StreamsConfig.producerPrefix(BusLimits.MAX_REQUEST_SIZE_CONFIG),
        BusLimits.MAX_RECORD_BYTES);
    stateDir.ifPresent(dir -> overrides.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    return kafka.clientProperties(overrides);
  }

  /**
   * The Streams properties with {@code application.server} set to where this instance's HTTP API
   * answers, so other instances can route a query for a tenant they do not own to it.
   */
  public Properties streamsProperties(final int boundPort) {
    final Properties props = streamsProperties();
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHostOrDefault() + ":" + boundPort);
    return props;
  }

  private static long number(final Map<String, String> env, final String name, final long fallback) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: " + value, e);
    }
  }

  private static int metricsPort(final Map<String, String> env) {
    final long port = number(env, METRICS_PORT_ENV, DEFAULT_METRICS_PORT);
    if (port < NO_METRICS_PORT || port > 65_535) {
      throw new IllegalArgumentException(METRICS_PORT_ENV + " out of range: " + port);
    }
    return (int) port;
  }

  public AccountingConfig withMetricsPort(final int newPort) {
    return new AccountingConfig(kafka, applicationId, host, port, stateDir, commitInterval,
        presumInterval, startTimeout, closeTimeout, grace, budgetCheckInterval, advertisedHost,
        virtualKeys, spendMaxValues, newPort);
  }

  private static int port(final Map<String, String> env) {
    final long port = number(env, PORT_ENV, DEFAULT_PORT);
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(PORT_ENV + " out of range: " + port);
    }
    return (int) port;
  }

  private static Duration millis(
      final Map<String, String> env, final String name, final Duration fallback) {
    return Duration.ofMillis(number(env, name, fallback.toMillis()));
  }

  private static void requirePositive(final Duration duration, final String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
  }
}
