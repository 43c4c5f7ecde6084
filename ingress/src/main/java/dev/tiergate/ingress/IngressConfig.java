package dev.tiergate.ingress;

import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.ingress.limits.LimitSettings;
import dev.tiergate.ingress.limits.TenantLimits;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the ingress service, read from environment variables.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL} (required) and any other {@code
 *       KAFKA_*} client setting: see {@link KafkaSettings}.
 *   <li>{@code TIERGATE_INGRESS_HOST}: interface to bind, default {@code 0.0.0.0}.
 *   <li>{@code TIERGATE_INGRESS_PORT}: HTTP port, default 8080; 0 picks a free port.
 *   <li>{@code TIERGATE_REPLY_TIMEOUT}: how long a request waits for its reply (for a stream: for
 *       the next event), ISO-8601 ({@code PT60S}) or milliseconds; default 60 s. It is also the
 *       longest deadline a request carries: a client's {@code X-Stainless-Timeout} or {@code
 *       x-tiergate-timeout} (seconds) shortens it.
 *   <li>{@code TIERGATE_MAX_PENDING}: requests waiting for replies before new ones get 503, default
 *       10000.
 *   <li>{@code TIERGATE_MAX_REQUEST_BYTES}: largest request body accepted, default 10 MiB.
 *   <li>{@code TIERGATE_VIRTUAL_KEYS}: bootstrap keys, {@code key=tenant:tier,...}; default none.
 *       Without them only keys on {@code tiergate.virtual-keys} ({@code tiergate keys create})
 *       authenticate, and the service refuses to start when that topic holds none either.
 *   <li>{@code TIERGATE_DEMO}: {@code true} turns on the well-known demo key ({@value
 *       VirtualKeys#DEFAULT_SPEC}) when no bootstrap keys are set; {@code tiergate up} sets it. Never
 *       on a shared network.
 *   <li>{@code TIERGATE_INGRESS_METRICS_PORT}: port of {@code GET /metrics} (Prometheus), separate
 *       from the API port so it can stay off the public network; default {@value
 *       #DEFAULT_METRICS_PORT}, 0 picks a free port, -1 turns it off. Same interface as the API.
 *   <li>{@code TIERGATE_TENANT_LIMITS}: per-tenant rate limits, {@code
 *       tenant;rpm=N;tpm=N;concurrent=N,...} (see {@link TenantLimits}); default none.
 *   <li>{@code TIERGATE_RATE_LIMIT_SYNC}: how often each instance publishes its rate-limit counts
 *       to the others, ISO-8601 or milliseconds; default 200 ms.
 *   <li>{@code TIERGATE_ANONYMOUS_TENANT}: when set, a request with no key (or the key {@code
 *       anonymous}) is served as this tenant, limited to the free and small tiers. Off by default.
 * </ul>
 */
@EntryPoint
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
    LimitSettings limits) {

  public static final String HOST_ENV = "TIERGATE_INGRESS_HOST";
  public static final String PORT_ENV = "TIERGATE_INGRESS_PORT";
  public static final String REPLY_TIMEOUT_ENV = "TIERGATE_REPLY_TIMEOUT";
  public static final String MAX_PENDING_ENV = "TIERGATE_MAX_PENDING";
  public static final String MAX_REQUEST_BYTES_ENV = "TIERGATE_MAX_REQUEST_BYTES";
  public static final String VIRTUAL_KEYS_ENV = "TIERGATE_VIRTUAL_KEYS";
  public static final String ANONYMOUS_TENANT_ENV = "TIERGATE_ANONYMOUS_TENANT";
  public static final String METRICS_PORT_ENV = "TIERGATE_INGRESS_METRICS_PORT";
  public static final String TENANT_LIMITS_ENV = "TIERGATE_TENANT_LIMITS";
  public static final String RATE_LIMIT_SYNC_ENV = "TIERGATE_RATE_LIMIT_SYNC";
  public static final String DEMO_ENV = "TIERGATE_DEMO";

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_PENDING = 10_000;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
  public static final int DEFAULT_METRICS_PORT = 9080;
  /** A metrics port of -1: no metrics server. */
  public static final int NO_METRICS_PORT = -1;

  public IngressConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(replyTimeout, "replyTimeout");
    Objects.requireNonNull(virtualKeys, "virtualKeys");
    Objects.requireNonNull(limits, "limits");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (metricsPort < NO_METRICS_PORT || metricsPort > 65_535) {
      throw new IllegalArgumentException("metrics port out of range: " + metricsPort);
    }
    if (replyTimeout.isNegative() || replyTimeout.isZero()) {
      throw new IllegalArgumentException("replyTimeout must be positive: " + replyTimeout);
    }
    if (maxPending < 1 || maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxPending and maxRequestBytes must be positive");
    }
    if (anonymousTenant != null && anonymousTenant.isBlank()) {
      anonymousTenant = null;
    }
  }

  /** With no tenant limits and the default sync interval. */
  public IngressConfig(
      final KafkaSettings kafka,
      final String host,
      final int port,
      final Duration replyTimeout,
      final int maxPending,
      final int maxRequestBytes,
      final VirtualKeys virtualKeys,
      final String anonymousTenant,
      final int metricsPort) {
    this(kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, LimitSettings.DEFAULTS);
  }

  /** With metrics on a free port (see {@link #withMetricsPort}). */
  public IngressConfig(
      final KafkaSettings kafka,
      final String host,
      final int port,
      final Duration replyTimeout,
      final int maxPending,
      final int maxRequestBytes,
      final VirtualKeys virtualKeys,
      final String anonymousTenant) {
    this(kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        0);
  }

  /** Without anonymous access. */
  public IngressConfig(
      final KafkaSettings kafka,
      final String host,
      final int port,
      final Duration replyTimeout,
      final int maxPending,
      final int maxRequestBytes,
      final VirtualKeys virtualKeys) {
    this(kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, null);
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

  public static IngressConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new IngressConfig(
        KafkaSettings.fromEnv(env),
        env.getOrDefault(HOST_ENV, DEFAULT_HOST),
        intSetting(env, PORT_ENV, DEFAULT_PORT),
        durationSetting(env, REPLY_TIMEOUT_ENV, DEFAULT_REPLY_TIMEOUT),
        intSetting(env, MAX_PENDING_ENV, DEFAULT_MAX_PENDING),
        intSetting(env, MAX_REQUEST_BYTES_ENV, DEFAULT_MAX_REQUEST_BYTES),
        virtualKeys(env),
        env.get(ANONYMOUS_TENANT_ENV),
        intSetting(env, METRICS_PORT_ENV, DEFAULT_METRICS_PORT),
        new LimitSettings(
            TenantLimits.parse(env.get(TENANT_LIMITS_ENV)),
            durationSetting(env, RATE_LIMIT_SYNC_ENV, LimitSettings.DEFAULT_SYNC_INTERVAL)));
  }

  public IngressConfig withPort(final int newPort) {
    return new IngressConfig(
        kafka, host, newPort, replyTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, limits);
  }

  public IngressConfig withReplyTimeout(final Duration newTimeout) {
    return new IngressConfig(
        kafka, host, port, newTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, limits);
  }

  public IngressConfig withMaxPending(final int newMaxPending) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, newMaxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, limits);
  }

  public IngressConfig withMaxRequestBytes(final int newMaxRequestBytes) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, maxPending, newMaxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, limits);
  }

  public IngressConfig withAnonymousTenant(final String tenant) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, tenant, metricsPort,
        limits);
  }

  public IngressConfig withMetricsPort(final int newMetricsPort) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        newMetricsPort, limits);
  }

  public IngressConfig withLimits(final LimitSettings newLimits) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, maxPending, maxRequestBytes, virtualKeys, anonymousTenant,
        metricsPort, newLimits);
  }

  /** The caller for keyless requests, when anonymous access is on. */
  public java.util.Optional<Caller> anonymousCaller() {
    return java.util.Optional.ofNullable(anonymousTenant)
        .map(tenant -> new Caller(tenant, Tier.FREE, java.util.EnumSet.of(Tier.FREE, Tier.SMALL)));
  }

  public IngressConfig withVirtualKeys(final VirtualKeys newKeys) {
    return new IngressConfig(
        kafka, host, port, replyTimeout, maxPending, maxRequestBytes, newKeys, anonymousTenant,
        metricsPort, limits);
  }

  /** The bootstrap keys; the demo key only in demo mode, else none (managed keys only). */
  static VirtualKeys virtualKeys(final Map<String, String> env) {
    final String spec = env.get(VIRTUAL_KEYS_ENV);
    if (spec != null && !spec.isBlank()) {
      return VirtualKeys.parse(spec);
    }
    return demo(env) ? VirtualKeys.parse(VirtualKeys.DEFAULT_SPEC) : VirtualKeys.none();
  }

  /** {@code TIERGATE_DEMO=true}: the zero-config demo of {@code tiergate up}. */
  public static boolean demo(final Map<String, String> env) {
    return "true".equalsIgnoreCase(env.getOrDefault(DEMO_ENV, "false").trim());
  }

  private static int intSetting(final Map<String, String> env, final String name, final int dflt) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return dflt;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not an integer: " + value, e);
    }
  }

  /** ISO-8601 ({@code PT30S}) or a plain number of milliseconds. */
  static Duration durationSetting(
      final Map<String, String> env, final String name, final Duration dflt) {
    final String value = env.get(name);
    if (value == null || value.isBlank()) {
      return dflt;
    }
    final String trimmed = value.trim();
    try {
      return trimmed.toUpperCase(Locale.ROOT).startsWith("P")
          ? Duration.parse(trimmed)
          : Duration.ofMillis(Long.parseLong(trimmed));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " is neither ISO-8601 nor milliseconds: " + value, e);
    }
  }
}
