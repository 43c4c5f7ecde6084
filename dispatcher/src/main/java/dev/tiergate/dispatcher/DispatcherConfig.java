package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.GuardSettings;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.KeyStore;
import dev.tiergate.dispatcher.provider.ModelId;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The dispatcher's settings, read from environment variables by {@link #fromEnv}.
 *
 * <table>
 *   <caption>Environment variables (besides {@link KafkaSettings}' own)</caption>
 *   <tr><th>variable</th><th>default</th></tr>
 *   <tr><td>TIERGATE_DISPATCHER_GROUP_ID</td><td>tiergate-dispatcher</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_IN_FLIGHT</td><td>64</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_CONNECT_TIMEOUT_MS</td><td>5000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_RESPONSE_TIMEOUT_MS (longest silence)</td><td>120000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_TOTAL_TIMEOUT_MS (one attempt)</td><td>600000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_CONNECTIONS (per provider host)</td><td>256</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_RETRIES (per model)</td><td>2</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_RETRY_BACKOFF_MS</td><td>250</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_RETRY_MAX_BACKOFF_MS</td><td>4000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_RETRY_AFTER_CAP_MS</td><td>10000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT (batch requests, on top)</td><td>16</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_PROVIDER</td><td>512</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_BATCH_CONCURRENT_PER_PROVIDER</td><td>64</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_TENANT (per provider and lane)</td><td>256</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_BREAKER_FAILURE_RATE (percent; breakers are per provider and
 *       tenant)</td><td>50</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_BREAKER_WINDOW (calls)</td><td>20</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_BREAKER_MINIMUM_CALLS</td><td>10</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_BREAKER_OPEN_MS</td><td>30000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_DEDUP_CAPACITY</td><td>100000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_DEDUP_LOOKBACK_MS (responses read back at start)</td><td>3600000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_CATCH_UP_TIMEOUT_MS (start waits for the tails)</td><td>30000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_KEYS_FILE</td><td>none; BYOK keys, see {@link KeyStore}</td></tr>
 *   <tr><td>TIERGATE_BYOK__&lt;REF&gt;__&lt;PROVIDER&gt;</td><td>BYOK keys, see {@link KeyStore}</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_CLOSE_TIMEOUT_MS</td><td>30000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_INSTANCE_ID: stable name of this instance, in its {@code
 *       transactional.id} (see {@link DeliverySettings})</td><td>random per start</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_TRANSACTION_TIMEOUT_MS</td><td>10000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_REVOKE_TIMEOUT_MS (a revoked partition's calls may finish)</td><td>30000</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_FAULT: tests only, {@code halt-after-response}</td><td>none</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_METRICS_PORT: port of {@code GET /metrics} (Prometheus) and {@code
 *       GET /health}; 0 picks a free one (logged, and {@code DispatcherService.metricsPort()}), -1
 *       turns it off</td><td>0</td></tr>
 *   <tr><td>TIERGATE_DISPATCHER_METRICS_HOST: interface of that port ({@code 127.0.0.1} keeps it
 *       local; probes reach a pod at its address)</td><td>0.0.0.0</td></tr>
 *   <tr><td>TIERGATE_PROVIDER_&lt;NAME&gt;_BASE_URL</td><td>required per provider (the public
 *       URL for OPENAI, ANTHROPIC, GOOGLE and GEMINI)</td></tr>
 *   <tr><td>TIERGATE_PROVIDER_&lt;NAME&gt;_API_KEY</td><td>none; sent as the format's credential</td></tr>
 *   <tr><td>TIERGATE_PROVIDER_&lt;NAME&gt;_FORMAT</td><td>openai, openai-compatible,
 *       anthropic or gemini; by default anthropic for ANTHROPIC, gemini for GOOGLE/GEMINI, openai for
 *       OPENAI, openai-compatible for any other name</td></tr>
 * </table>
 *
 * <p>{@code <NAME>} is the provider part of model ids, upper case, with '_' standing for '-'
 * ({@code TIERGATE_PROVIDER_TOGETHER_AI_BASE_URL} serves {@code together-ai/...}). At least one
 * provider is required.
 */
@EntryPoint
public record DispatcherConfig(
    KafkaSettings kafka,
    String groupId,
    int maxInFlight,
    HttpSettings http,
    RetryPolicy retry,
    Map<String, ProviderEndpoint> providers,
    int dedupCapacity,
    Duration closeTimeout,
    int maxBatchInFlight,
    GuardSettings guards,
    KeyStore keys,
    Duration dedupLookback,
    Duration catchUpTimeout,
    int metricsPort,
    String metricsHost,
    DeliverySettings delivery) {

  public static final String DEFAULT_GROUP_ID = "tiergate-dispatcher";
  public static final String METRICS_PORT_ENV = "TIERGATE_DISPATCHER_METRICS_PORT";
  public static final String METRICS_HOST_ENV = "TIERGATE_DISPATCHER_METRICS_HOST";
  /** All interfaces: probes and scrapers reach a pod at its own address. */
  public static final String DEFAULT_METRICS_HOST = "0.0.0.0";
  /** {@link #metricsPort()} value that turns the metrics endpoint off. */
  public static final int NO_METRICS_PORT = -1;
  static final String PREFIX = "TIERGATE_DISPATCHER_";
  static final String PROVIDER_PREFIX = "TIERGATE_PROVIDER_";
  private static final String BASE_URL = "_BASE_URL";
  private static final String API_KEY = "_API_KEY";
  private static final String FORMAT = "_FORMAT";
  private static final List<String> PROVIDER_SUFFIXES = List.of(BASE_URL, API_KEY, FORMAT);
  private static final Map<String, String> DEFAULT_BASE_URLS =
      Map.of(
          "openai", "https://api.openai.com/v1",
          "anthropic", "https://api.anthropic.com/v1",
          "google", "https://generativelanguage.googleapis.com/v1beta",
          "gemini", "https://generativelanguage.googleapis.com/v1beta");

  public DispatcherConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(retry, "retry");
    providers = Map.copyOf(providers);
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(guards, "guards");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(dedupLookback, "dedupLookback");
    Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
    Objects.requireNonNull(metricsHost, "metricsHost");
    if (metricsHost.isBlank()) {
      throw new IllegalArgumentException("metrics host must not be blank");
    }
    Objects.requireNonNull(delivery, "delivery");
    if (maxInFlight < 1 || maxBatchInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    if (metricsPort < NO_METRICS_PORT || metricsPort > 65_535) {
      throw new IllegalArgumentException(
          "metrics port must be -1 (off), 0 (free) or a port: " + metricsPort);
    }
    if (providers.isEmpty()) {
      throw new IllegalArgumentException(
          "no provider configured: set " + PROVIDER_PREFIX + "<NAME>" + BASE_URL);
    }
  }

  /** Reads the config; fails fast on a missing or malformed value. */
  public static DispatcherConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    final HttpSettings http =
        new HttpSettings(
            millis(env, "CONNECT_TIMEOUT_MS", 5_000),
            millis(env, "RESPONSE_TIMEOUT_MS", 120_000),
            millis(env, "TOTAL_TIMEOUT_MS", 600_000),
            positiveInt(env, "MAX_CONNECTIONS", 256));
    final RetryPolicy retry =
        new RetryPolicy(
            nonNegativeInt(env, "MAX_RETRIES", 2),
            millis(env, "RETRY_BACKOFF_MS", 250),
            millis(env, "RETRY_MAX_BACKOFF_MS", 4_000),
            millis(env, "RETRY_AFTER_CAP_MS", 10_000));
    return new DispatcherConfig(
        KafkaSettings.fromEnv(env),
        env.getOrDefault(PREFIX + "GROUP_ID", DEFAULT_GROUP_ID),
        positiveInt(env, "MAX_IN_FLIGHT", 64),
        http,
        retry,
        providersFromEnv(env),
        positiveInt(env, "DEDUP_CAPACITY", 100_000),
        millis(env, "CLOSE_TIMEOUT_MS", 30_000),
        positiveInt(env, "MAX_BATCH_IN_FLIGHT", 16),
        guardsFromEnv(env),
        KeyStore.fromEnv(env),
        millis(env, "DEDUP_LOOKBACK_MS", 3_600_000),
        millis(env, "CATCH_UP_TIMEOUT_MS", 30_000),
        metricsPort(env),
        env.getOrDefault(METRICS_HOST_ENV, DEFAULT_METRICS_HOST),
        deliveryFromEnv(env));
  }

  private static DeliverySettings deliveryFromEnv(final Map<String, String> env) {
    final String instanceId =
        Optional.ofNullable(blankToNull(env.get(PREFIX + "INSTANCE_ID")))
            .map(String::trim)
            .orElseGet(() -> "dispatcher-" + UUID.randomUUID());
    return new DeliverySettings(
        instanceId,
        millis(env, "TRANSACTION_TIMEOUT_MS", 10_000),
        millis(env, "REVOKE_TIMEOUT_MS", 30_000),
        DispatcherFault.parse(env.get(DispatcherFault.ENV)));
  }

  private static int metricsPort(final Map<String, String> env) {
    return (int) number(env, "METRICS_PORT", 0, NO_METRICS_PORT);
  }

  private static GuardSettings guardsFromEnv(final Map<String, String> env) {
    return new GuardSettings(
        positiveInt(env, "MAX_CONCURRENT_PER_PROVIDER", 512),
        positiveInt(env, "MAX_BATCH_CONCURRENT_PER_PROVIDER", 64),
        positiveInt(env, "BREAKER_FAILURE_RATE", 50),
        positiveInt(env, "BREAKER_WINDOW", 20),
        positiveInt(env, "BREAKER_MINIMUM_CALLS", 10),
        millis(env, "BREAKER_OPEN_MS", 30_000),
        positiveInt(env, "MAX_CONCURRENT_PER_TENANT", 256));
  }

  /** The worker's limits. */
  public WorkerSettings workerSettings() {
    return new WorkerSettings(
        maxInFlight, Duration.ofMillis(100), Duration.ZERO, closeTimeout, dedupCapacity, maxBatchInFlight,
        delivery.revokeTimeout());
  }

  /**
   * Consumer properties: {@code KAFKA_*} pass-through, then our defaults where the pass-through is
   * silent, then what correctness needs (group, manual commits, read_committed) on top. The default
   * group protocol is KIP-848's {@code consumer}: a rebalance moves only the partitions that change
   * owner, so waiting for a revoked partition's calls holds back nothing else in the group.
   * read_committed also makes the committed offsets a new owner starts from wait for the previous
   * owner's transaction to be decided.
   */
  public Properties consumerProperties() {
    final Map<String, Object> defaults = new HashMap<>();
    defaults.put("auto.offset.reset", "earliest");
    defaults.put("max.poll.records", Math.min(maxInFlight, 2_000));
    defaults.put("client.id", groupId);
    defaults.put("group.protocol", "consumer");
    final Map<String, Object> required =
        Map.of("group.id", groupId, "enable.auto.commit", "false", "isolation.level", "read_committed");
    return kafka.clientProperties(layered(defaults, required));
  }

  /**
   * Producer of stream chunks (and nothing that is money): idempotent, acks=all and no linger,
   * whatever the pass-through says, and never transactional, so chunks reach readers at once.
   */
  public Properties producerProperties() {
    final Map<String, Object> defaults = Map.of("max.block.ms", 10_000, "client.id", groupId + "-chunks");
    final Map<String, Object> required =
        Map.of("enable.idempotence", "true", "acks", "all", "linger.ms", "0",
            BusLimits.MAX_REQUEST_SIZE_CONFIG, BusLimits.MAX_RECORD_BYTES);
    final Properties properties = kafka.clientProperties(layered(defaults, required));
    properties.remove("transactional.id");
    return properties;
  }

  /**
   * Producer of responses, usage and dead letters with the consumed offsets, one transaction per
   * round; its {@code transactional.id} is {@code <group>-<instance id>} (see {@link
   * DeliverySettings}).
   */
  public Properties transactionalProducerProperties() {
    final Map<String, Object> defaults =
        Map.of("max.block.ms", 10_000, "client.id", groupId + "-" + delivery.instanceId());
    final Map<String, Object> required =
        Map.of(
            "enable.idempotence", "true",
            "acks", "all",
            "linger.ms", "0",
            "transactional.id", delivery.transactionalId(groupId),
            "transaction.timeout.ms", (int) delivery.transactionTimeout().toMillis(),
            BusLimits.MAX_REQUEST_SIZE_CONFIG, BusLimits.MAX_RECORD_BYTES);
    return kafka.clientProperties(layered(defaults, required));
  }

  private Map<String, Object> layered(
      final Map<String, Object> defaults, final Map<String, Object> required) {
    final Map<String, Object> overrides = new HashMap<>(defaults);
    overrides.keySet().removeAll(kafka.clientProperties().keySet());
    overrides.putAll(required);
    return overrides;
  }

  static Map<String, ProviderEndpoint> providersFromEnv(final Map<String, String> env) {
    final TreeSet<String> names = new TreeSet<>();
    env.keySet().stream()
        .filter(key -> key.startsWith(PROVIDER_PREFIX))
        .forEach(key -> providerName(key).ifPresent(names::add));
    final Map<String, ProviderEndpoint> endpoints = new TreeMap<>();
    for (final String envName : names) {
      final ProviderEndpoint endpoint = provider(env, envName);
      endpoints.put(endpoint.name(), endpoint);
    }
    return endpoints;
  }

  private static Optional<String> providerName(final String key) {
    final String rest = key.substring(PROVIDER_PREFIX.length());
    return PROVIDER_SUFFIXES.stream()
        .filter(suffix -> rest.endsWith(suffix) && rest.length() > suffix.length())
        .map(suffix -> rest.substring(0, rest.length() - suffix.length()))
        .findFirst();
  }

  private static ProviderEndpoint provider(final Map<String, String> env, final String envName) {
    final String name = ModelId.normalizeProvider(envName);
    final String prefix = PROVIDER_PREFIX + envName;
    final String baseUrl = Optional.ofNullable(blankToNull(env.get(prefix + BASE_URL)))
        .or(() -> Optional.ofNullable(DEFAULT_BASE_URLS.get(name)))
        .orElseThrow(() -> new IllegalArgumentException("missing required setting " + prefix + BASE_URL));
    final ProviderFormat format =
        Optional.ofNullable(blankToNull(env.get(prefix + FORMAT)))
            .map(ProviderFormat::parse)
            .orElse(ProviderFormat.defaultFor(name));
    final Optional<String> apiKey = Optional.ofNullable(blankToNull(env.get(prefix + API_KEY)));
    return new ProviderEndpoint(name, uri(prefix + BASE_URL, baseUrl), apiKey, format);
  }

  private static URI uri(final String setting, final String value) {
    try {
      return new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(setting + " is not a URL: " + value, e);
    }
  }

  private static Duration millis(final Map<String, String> env, final String name, final long fallback) {
    return Duration.ofMillis(number(env, name, fallback, 0));
  }

  private static int positiveInt(final Map<String, String> env, final String name, final int fallback) {
    return (int) number(env, name, fallback, 1);
  }

  private static int nonNegativeInt(final Map<String, String> env, final String name, final int fallback) {
    return (int) number(env, name, fallback, 0);
  }

  private static long number(
      final Map<String, String> env, final String name, final long fallback, final long minimum) {
    final String value = blankToNull(env.get(PREFIX + name));
    if (value == null) {
      return fallback;
    }
    try {
      final long parsed = Long.parseLong(value.trim());
      if (parsed < minimum || parsed > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(PREFIX + name + " is out of range: " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PREFIX + name + " is not a number: " + value, e);
    }
  }

  private static String blankToNull(final String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
