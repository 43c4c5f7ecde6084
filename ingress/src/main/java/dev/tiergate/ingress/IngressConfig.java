package dev.tiergate.ingress;

import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.ingress.limits.LimitSettings;
import dev.tiergate.ingress.limits.TenantLimits;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.Tier;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the ingress service, each declared once below and read from environment variables
 * (the ingress README's table is rendered from them).
 * A copy with one field changed is {@code withField(value)}, generated with the record
 * ({@code @RecordBuilder}).
 */
@EntryPoint
@RecordBuilder
public record IngressConfig(
    KafkaSettings kafka,
    String host,
    int port,
    Duration replyTimeout,
    int maxPending,
    int maxRequestBytes,
    VirtualKeys virtualKeys,
    String anonymousTenant,
    int metricsPort,
    LimitSettings limits) implements IngressConfigBuilder.With {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_PENDING = 10_000;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
  public static final int DEFAULT_METRICS_PORT = 9080;
  /** A metrics port of -1: no metrics server. */
  public static final int NO_METRICS_PORT = Settings.NO_PORT;

  public static final Setting<String> HOST = Setting.text("TIERGATE_INGRESS_HOST")
      .withDefault(DEFAULT_HOST).withDescription("interface to bind");
  public static final Setting<Integer> PORT = Setting.port("TIERGATE_INGRESS_PORT")
      .withDefault(DEFAULT_PORT)
      .withDescription("HTTP port of the API; 0 picks a free one");
  public static final Setting<Duration> REPLY_TIMEOUT = Setting.duration("TIERGATE_REPLY_TIMEOUT")
      .withDefault(DEFAULT_REPLY_TIMEOUT).atLeast(1)
      .withDescription("how long a request waits for its reply (for a stream: for the next event),"
          + " ISO-8601 (`PT60S`) or milliseconds. It is also the longest deadline a request"
          + " carries: a client's `X-Stainless-Timeout` or `x-tiergate-timeout` (seconds) shortens"
          + " it");
  public static final Setting<Integer> MAX_PENDING = Setting.integer("TIERGATE_MAX_PENDING")
      .withDefault(DEFAULT_MAX_PENDING).atLeast(1)
      .withDescription("requests waiting for replies before new ones get 503");
  public static final Setting<Integer> MAX_REQUEST_BYTES =
      Setting.integer("TIERGATE_MAX_REQUEST_BYTES").withDefault(DEFAULT_MAX_REQUEST_BYTES)
          .atLeast(1).withDescription("largest request body accepted (10 MiB)");
  public static final Setting<Integer> METRICS_PORT =
      Setting.portOrOff("TIERGATE_INGRESS_METRICS_PORT").withDefault(DEFAULT_METRICS_PORT)
          .withDescription("port of `GET /metrics` (Prometheus), on the API's interface but apart"
              + " from its port so it can stay off the public network; 0 picks a free one, -1"
              + " turns it off");
  public static final Setting<TenantLimits> TENANT_LIMITS =
      Setting.of("TIERGATE_TENANT_LIMITS", TenantLimits::parse)
          .withDescription("per-tenant rate limits, `tenant;rpm=N;tpm=N;concurrent=N,...` (see"
              + " Rate limits); give every instance the same value");
  public static final Setting<Duration> RATE_LIMIT_SYNC =
      Setting.duration("TIERGATE_RATE_LIMIT_SYNC").withDefault(LimitSettings.DEFAULT_SYNC_INTERVAL)
          .withDescription("how often each instance publishes its rate-limit counts to the others,"
              + " ISO-8601 or milliseconds");
  public static final Setting<String> ANONYMOUS_TENANT = Setting.text("TIERGATE_ANONYMOUS_TENANT")
      .withShownDefault("off")
      .withDescription("when set, a request with no key (or the key `anonymous`) is served as this"
          + " tenant, limited to the free and small tiers");

  /** Every setting, in the order of the README's table. */
  public static final List<Setting<?>> SETTINGS = List.of(
      KafkaSettings.BOOTSTRAP_SERVERS, KafkaSettings.SCHEMA_REGISTRY_URL, HOST, PORT, REPLY_TIMEOUT,
      MAX_PENDING, MAX_REQUEST_BYTES, VirtualKeySpec.TABLE, VirtualKeySpec.DEMO_MODE, METRICS_PORT,
      TENANT_LIMITS, RATE_LIMIT_SYNC, ANONYMOUS_TENANT);


  public IngressConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(replyTimeout, "replyTimeout");
    Objects.requireNonNull(virtualKeys, "virtualKeys");
    Objects.requireNonNull(limits, "limits");
    Settings.requirePort(port, "port");
    Settings.requirePortOrOff(metricsPort, "metrics port");
    Settings.requirePositive(replyTimeout, "replyTimeout");
    if (maxPending < 1 || maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxPending and maxRequestBytes must be positive");
    }
    if (anonymousTenant != null && anonymousTenant.isBlank()) {
      anonymousTenant = null;
    }
  }

  /** Without anonymous access or tenant limits, with metrics on a free port. */
  public IngressConfig(
      final KafkaSettings kafka,
      final String host,
      final int port,
      final Duration replyTimeout,
      final int maxPending,
      final int maxRequestBytes,
      final VirtualKeys virtualKeys) {
    this(kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, null, 0,
        LimitSettings.DEFAULTS);
  }

  /**
   * Defaults for everything but the cluster, with metrics on a free port: the base for tests and
   * the embedded launcher.
   */
  public static IngressConfig defaults(final KafkaSettings kafka) {
    return new IngressConfig(
        kafka,
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_REPLY_TIMEOUT,
        DEFAULT_MAX_PENDING,
        DEFAULT_MAX_REQUEST_BYTES,
        VirtualKeys.parse(VirtualKeys.DEFAULT_SPEC));
  }

  /** Reads the settings; fails fast on a missing or malformed value. */
  public static IngressConfig fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    return new IngressConfig(
        KafkaSettings.fromEnv(env),
        settings.get(HOST),
        settings.get(PORT),
        settings.get(REPLY_TIMEOUT),
        settings.get(MAX_PENDING),
        settings.get(MAX_REQUEST_BYTES),
        virtualKeys(settings),
        settings.find(ANONYMOUS_TENANT).orElse(null),
        settings.get(METRICS_PORT),
        new LimitSettings(
            settings.find(TENANT_LIMITS).orElse(TenantLimits.NONE),
            settings.get(RATE_LIMIT_SYNC)));
  }

  /** The caller for keyless requests, when anonymous access is on. */
  public java.util.Optional<Caller> anonymousCaller() {
    return java.util.Optional.ofNullable(anonymousTenant)
        .map(tenant -> new Caller(tenant, Tier.FREE, java.util.EnumSet.of(Tier.FREE, Tier.SMALL)));
  }

  /** The bootstrap keys; the demo key only in demo mode, else none (managed keys only). */
  private static VirtualKeys virtualKeys(final Settings settings) {
    final String table = VirtualKeySpec.bootstrapTable(settings);
    return table.isEmpty() ? VirtualKeys.none() : VirtualKeys.parse(table);
  }
}
