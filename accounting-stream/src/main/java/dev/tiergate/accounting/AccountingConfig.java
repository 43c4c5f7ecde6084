package dev.tiergate.accounting;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Settings of the accounting stream, each declared once below and read from environment-style
 * variables (the accounting-stream README's table is rendered from them). Money is at stake, so
 * the Streams guarantee is fixed at {@code exactly_once_v2} and not configurable.
 * A copy with one field changed is {@code withField(value)}, generated with the record
 * ({@code @RecordBuilder}).
 *
 * @param stateDir empty for the Streams default
 */
@EntryPoint
@RecordBuilder
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
    int metricsPort) implements AccountingConfigBuilder.With {

  public static final String CACHE_BYTES_PROPERTY = "statestore.cache.max.bytes";

  public static final String DEFAULT_APP_ID = "tiergate-accounting";
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8083;
  /** {@code /metrics} and {@code /health} on their own port, off the public query API. */
  public static final int DEFAULT_METRICS_PORT = 9083;
  /** A metrics port of -1: no metrics server. */
  public static final int NO_METRICS_PORT = Settings.NO_PORT;
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

  public static final Setting<String> APP_ID = Setting.text("TIERGATE_ACCOUNTING_APP_ID")
      .withDefault(DEFAULT_APP_ID).withDescription("Streams application id");
  public static final Setting<String> HOST = Setting.text("TIERGATE_ACCOUNTING_HOST")
      .withDefault(DEFAULT_HOST).withDescription("interface the query API (and metrics) bind");
  public static final Setting<Integer> PORT = Setting.port("TIERGATE_ACCOUNTING_PORT")
      .withDefault(DEFAULT_PORT)
      .withDescription(
          "HTTP port of the query API; 0 picks a free one (`AccountingService.port()`)");
  public static final Setting<Integer> METRICS_PORT =
      Setting.portOrOff("TIERGATE_ACCOUNTING_METRICS_PORT").withDefault(DEFAULT_METRICS_PORT)
          .withDescription("port of `GET /metrics` (Prometheus) and `GET /health`, apart from the"
              + " query API so it can stay off the public network; 0 picks a free one"
              + " (`AccountingService.metricsPort()`), -1 turns it off");
  public static final Setting<String> ADVERTISED_HOST =
      Setting.text("TIERGATE_ACCOUNTING_ADVERTISED_HOST")
          .withShownDefault("the bind host (`127.0.0.1` when binding `0.0.0.0`)")
          .withDescription("the host other instances reach this one's query API at"
              + " (`application.server`); set it when running several instances on several hosts");
  public static final Setting<Path> STATE_DIR =
      StreamsRunner.STATE_DIR.withShownDefault("Streams' own (under the temp dir)");
  public static final Setting<Duration> COMMIT_INTERVAL =
      Setting.millis("TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS").withDefault(DEFAULT_COMMIT_INTERVAL)
          .atLeast(1).withDescription("Streams commit interval; bounds how stale spend can be");
  public static final Setting<Duration> PRESUM_INTERVAL =
      Setting.millis("TIERGATE_ACCOUNTING_PRESUM_MS").withDefault(DEFAULT_PRESUM_INTERVAL)
          .atLeast(1)
          .withDescription("how long spend deltas are summed per key before they cross the"
              + " repartition; adds to how stale spend can be (not budgets)");
  /** Documented here; read through the {@code KAFKA_*} pass-through. */
  public static final Setting<Long> CACHE_BYTES =
      Setting.longInteger("KAFKA_STATESTORE_CACHE_MAX_BYTES").withDefault(DEFAULT_CACHE_BYTES)
          .withDescription("the record cache (Streams' own default is 10 MB)");
  public static final Setting<Duration> GRACE = Setting.millis("TIERGATE_ACCOUNTING_GRACE_MS")
      .withDefault(DEFAULT_GRACE).atLeast(0)
      .withDescription("how late (in event time) a usage may arrive and still land in its"
          + " hour/day/month window; totals and budgets always count it");
  public static final Setting<Duration> BUDGET_CHECK =
      Setting.millis("TIERGATE_ACCOUNTING_BUDGET_CHECK_MS").withDefault(DEFAULT_BUDGET_CHECK)
          .atLeast(1)
          .withDescription("how often budgets are re-checked for a new period or a changed limit"
              + " without waiting for usage");
  public static final Setting<Integer> SPEND_MAX_VALUES =
      Setting.integer("TIERGATE_SPEND_MAX_VALUES").withDefault(DEFAULT_SPEND_MAX_VALUES).atLeast(1)
          .withDescription("distinct values kept per tenant, dimension and UTC month in the spend"
              + " aggregates; later new values that month count under `(other)`");
  public static final Setting<Duration> START_TIMEOUT =
      Setting.millis("TIERGATE_ACCOUNTING_START_TIMEOUT_MS").withDefault(DEFAULT_START_TIMEOUT)
          .atLeast(1).withDescription("how long `start()` waits for RUNNING");
  public static final Setting<Duration> CLOSE_TIMEOUT =
      Setting.millis("TIERGATE_ACCOUNTING_CLOSE_TIMEOUT_MS").withDefault(DEFAULT_CLOSE_TIMEOUT)
          .atLeast(1).withDescription("how long `close()` waits");

  /** Every setting, in the order of the README's table. */
  public static final List<Setting<?>> SETTINGS = List.of(
      KafkaSettings.BOOTSTRAP_SERVERS, KafkaSettings.SCHEMA_REGISTRY_URL, APP_ID, HOST, PORT,
      METRICS_PORT, ADVERTISED_HOST, VirtualKeySpec.TABLE, VirtualKeySpec.DEMO_MODE, STATE_DIR,
      COMMIT_INTERVAL, PRESUM_INTERVAL, CACHE_BYTES, GRACE, BUDGET_CHECK, SPEND_MAX_VALUES,
      START_TIMEOUT, CLOSE_TIMEOUT);


  public AccountingConfig {
    Objects.requireNonNull(kafka, "kafka");
    Settings.requireText(applicationId, "applicationId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(stateDir, "stateDir");
    Settings.requirePositive(commitInterval, "commitInterval");
    Settings.requirePositive(presumInterval, "presumInterval");
    Settings.requirePositive(startTimeout, "startTimeout");
    Settings.requirePositive(closeTimeout, "closeTimeout");
    Settings.requirePositive(budgetCheckInterval, "budgetCheckInterval");
    Objects.requireNonNull(advertisedHost, "advertisedHost");
    Objects.requireNonNull(virtualKeys, "virtualKeys");
    Settings.requireNotNegative(grace, "grace");
    Settings.requirePort(port, "port");
    Settings.requirePositive(spendMaxValues, "spendMaxValues");
    Settings.requirePortOrOff(metricsPort, "metrics port");
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
    final Settings settings = Settings.of(env);
    return new AccountingConfig(
        KafkaSettings.fromEnv(env),
        settings.get(APP_ID),
        settings.get(HOST),
        settings.get(PORT),
        settings.find(STATE_DIR),
        settings.get(COMMIT_INTERVAL),
        settings.get(PRESUM_INTERVAL),
        settings.get(START_TIMEOUT),
        settings.get(CLOSE_TIMEOUT),
        settings.get(GRACE),
        settings.get(BUDGET_CHECK),
        settings.find(ADVERTISED_HOST),
        VirtualKeySpec.bootstrapTable(settings),
        settings.get(SPEND_MAX_VALUES),
        settings.get(METRICS_PORT));
  }

  public AccountingConfig withStateDir(final Path dir) {
    return withStateDir(Optional.of(dir));
  }

  /** The host other instances reach this one at. */
  public String advertisedHostOrDefault() {
    return advertisedHost.orElse("0.0.0.0".equals(host) ? "127.0.0.1" : host);
  }

  /** A fresh copy of the Streams properties; the caller may change it. */
  public Properties streamsProperties() {
    // Usage is read as bytes and dead-lettered by the topology itself; this handler only covers a
    // corrupt catalogue entry, which then counts as an unknown (flagged) model instead of stopping
    // the global thread.
    return kafka.clientProperties(
        Map.of(
            CACHE_BYTES_PROPERTY, DEFAULT_CACHE_BYTES,
            // Every task reads one partition (each sub-topology has one source topic, pinned by a
            // test), so there is no order between partitions to wait for; idling only costs time,
            // and Streams 4 formats log text for every empty task on every loop while it may idle.
            StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED),
        ExactlyOnceStreams.overrides(
            applicationId, commitInterval, stateDir, LogAndContinueExceptionHandler.class));
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
}
