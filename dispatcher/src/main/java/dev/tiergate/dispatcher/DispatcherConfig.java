package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.GuardSettings;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.KeyStore;
import dev.tiergate.dispatcher.provider.ModelId;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import java.net.URI;
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
 * The dispatcher's settings, each declared once below and read from environment variables by
 * {@link #fromEnv} (the dispatcher README's table is rendered from them). Providers are a family
 * of variables, {@code TIERGATE_PROVIDER_<NAME>_BASE_URL}, {@code _API_KEY} and {@code _FORMAT}
 * (see the README); at least one provider is required.
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
  public static final String DEFAULT_METRICS_HOST = OpsServer.DEFAULT_HOST;
  /** {@link #metricsPort()} value that turns the metrics endpoint off. */
  public static final int NO_METRICS_PORT = Settings.NO_PORT;

  public static final Setting<String> GROUP_ID = Setting.text("TIERGATE_DISPATCHER_GROUP_ID")
      .withDefault(DEFAULT_GROUP_ID)
      .withDescription("consumer group, and the prefix of client ids");
  public static final Setting<Integer> MAX_IN_FLIGHT =
      count("TIERGATE_DISPATCHER_MAX_IN_FLIGHT", 256, 1,
          "interactive requests served at once (a stream holds its place until its last chunk)");
  public static final Setting<Integer> MAX_BATCH_IN_FLIGHT =
      count("TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT", 16, 1,
          "batch requests served at once, on top");
  public static final Setting<Duration> CONNECT_TIMEOUT =
      millis("TIERGATE_DISPATCHER_CONNECT_TIMEOUT_MS", 5_000, "connecting to a provider");
  public static final Setting<Duration> RESPONSE_TIMEOUT =
      millis("TIERGATE_DISPATCHER_RESPONSE_TIMEOUT_MS", 120_000, "longest silence of a provider");
  public static final Setting<Duration> TOTAL_TIMEOUT =
      millis("TIERGATE_DISPATCHER_TOTAL_TIMEOUT_MS", 600_000,
          "longest provider call (one attempt)");
  public static final Setting<Integer> MAX_CONNECTIONS =
      count("TIERGATE_DISPATCHER_MAX_CONNECTIONS", 256, 1, "connections per provider host");
  public static final Setting<Integer> MAX_RETRIES =
      count("TIERGATE_DISPATCHER_MAX_RETRIES", 2, 0, "retries per model before the chain moves on");
  public static final Setting<Duration> RETRY_BACKOFF =
      millis("TIERGATE_DISPATCHER_RETRY_BACKOFF_MS", 250,
          "first backoff of the jittered exponential retries");
  public static final Setting<Duration> RETRY_MAX_BACKOFF =
      millis("TIERGATE_DISPATCHER_RETRY_MAX_BACKOFF_MS", 4_000, "longest backoff");
  public static final Setting<Duration> RETRY_AFTER_CAP =
      millis("TIERGATE_DISPATCHER_RETRY_AFTER_CAP_MS", 10_000,
          "a provider's `Retry-After` up to this is honoured; a longer one moves the chain on");
  public static final Setting<Integer> MAX_CONCURRENT_PER_PROVIDER =
      count("TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_PROVIDER", 512, 1,
          "interactive calls in flight per provider");
  public static final Setting<Integer> MAX_BATCH_CONCURRENT_PER_PROVIDER =
      count("TIERGATE_DISPATCHER_MAX_BATCH_CONCURRENT_PER_PROVIDER", 64, 1,
          "batch calls in flight per provider");
  public static final Setting<Integer> MAX_CONCURRENT_PER_TENANT =
      count("TIERGATE_DISPATCHER_MAX_CONCURRENT_PER_TENANT", 256, 1,
          "calls in flight per tenant, provider and lane");
  public static final Setting<Integer> BREAKER_FAILURE_RATE =
      count("TIERGATE_DISPATCHER_BREAKER_FAILURE_RATE", 50, 1,
          "failure rate (percent) that opens a circuit breaker; breakers are per provider and"
              + " tenant");
  public static final Setting<Integer> BREAKER_WINDOW =
      count("TIERGATE_DISPATCHER_BREAKER_WINDOW", 20, 1, "calls the failure rate is measured over");
  public static final Setting<Integer> BREAKER_MINIMUM_CALLS =
      count("TIERGATE_DISPATCHER_BREAKER_MINIMUM_CALLS", 10, 1,
          "calls before the failure rate counts");
  public static final Setting<Duration> BREAKER_OPEN =
      millis("TIERGATE_DISPATCHER_BREAKER_OPEN_MS", 30_000, "how long an open breaker stays open");
  public static final Setting<Integer> DEDUP_CAPACITY =
      count("TIERGATE_DISPATCHER_DEDUP_CAPACITY", 100_000, 1,
          "recent correlation ids (answered, cancelled) remembered to skip duplicates");
  public static final Setting<Duration> DEDUP_LOOKBACK =
      millis("TIERGATE_DISPATCHER_DEDUP_LOOKBACK_MS", 3_600_000,
          "how far back the responses and cancels topics are read at start");
  public static final Setting<Duration> CATCH_UP_TIMEOUT =
      millis("TIERGATE_DISPATCHER_CATCH_UP_TIMEOUT_MS", 30_000,
          "how long start waits, at most, to have read them");
  public static final Setting<Duration> CLOSE_TIMEOUT =
      millis("TIERGATE_DISPATCHER_CLOSE_TIMEOUT_MS", 30_000, "how long `close()` waits");
  public static final Setting<String> INSTANCE_ID = Setting.text("TIERGATE_DISPATCHER_INSTANCE_ID")
      .withDefault(() -> "dispatcher-" + UUID.randomUUID(), "random per start")
      .withDescription("stable name of this replica (a StatefulSet pod name); its"
          + " `transactional.id` is `<group>-<id>`");
  public static final Setting<Duration> TRANSACTION_TIMEOUT =
      millis("TIERGATE_DISPATCHER_TRANSACTION_TIMEOUT_MS", 10_000,
          "the broker aborts a dead instance's open transaction after this");
  public static final Setting<Duration> REVOKE_TIMEOUT =
      millis("TIERGATE_DISPATCHER_REVOKE_TIMEOUT_MS", 30_000,
          "a revoked partition's calls may finish and commit within this");
  public static final Setting<DispatcherFault> FAULT =
      Setting.of(DispatcherFault.ENV, DispatcherFault::parse)
          .expecting("none or halt-after-response").withDefault(DispatcherFault.NONE)
          .withShownDefault("none").withDescription("tests only: `halt-after-response`");
  public static final Setting<Integer> METRICS_PORT = OpsServer.portSetting(
      "TIERGATE_DISPATCHER_METRICS_PORT", "DispatcherService.metricsPort()");
  public static final Setting<String> METRICS_HOST =
      OpsServer.hostSetting("TIERGATE_DISPATCHER_METRICS_HOST");

  /** Every setting, in the order of the README's table. */
  public static final List<Setting<?>> SETTINGS = List.of(
      KafkaSettings.BOOTSTRAP_SERVERS, KafkaSettings.SCHEMA_REGISTRY_URL, GROUP_ID, MAX_IN_FLIGHT,
      MAX_BATCH_IN_FLIGHT, CONNECT_TIMEOUT, RESPONSE_TIMEOUT, TOTAL_TIMEOUT, MAX_CONNECTIONS,
      MAX_RETRIES, RETRY_BACKOFF, RETRY_MAX_BACKOFF, RETRY_AFTER_CAP, MAX_CONCURRENT_PER_PROVIDER,
      MAX_BATCH_CONCURRENT_PER_PROVIDER, MAX_CONCURRENT_PER_TENANT, BREAKER_FAILURE_RATE,
      BREAKER_WINDOW, BREAKER_MINIMUM_CALLS, BREAKER_OPEN, DEDUP_CAPACITY, DEDUP_LOOKBACK,
      CATCH_UP_TIMEOUT, CLOSE_TIMEOUT, INSTANCE_ID, TRANSACTION_TIMEOUT, REVOKE_TIMEOUT, FAULT,
      METRICS_PORT, METRICS_HOST, KeyStore.KEYS_FILE, KeyStore.BYOK_ONLY_TENANTS);

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
    Settings.requirePositive(maxInFlight, "maxInFlight");
    Settings.requirePositive(maxBatchInFlight, "maxBatchInFlight");
    Settings.requirePortOrOff(metricsPort, "metrics port");
    if (providers.isEmpty()) {
      throw new IllegalArgumentException(
          "no provider configured: set " + PROVIDER_PREFIX + "<NAME>" + BASE_URL);
    }
  }

  /** Reads the config; fails fast on a missing or malformed value. */
  public static DispatcherConfig fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    return new DispatcherConfig(
        KafkaSettings.fromEnv(env),
        settings.get(GROUP_ID),
        settings.get(MAX_IN_FLIGHT),
        new HttpSettings(
            settings.get(CONNECT_TIMEOUT),
            settings.get(RESPONSE_TIMEOUT),
            settings.get(TOTAL_TIMEOUT),
            settings.get(MAX_CONNECTIONS)),
        new RetryPolicy(
            settings.get(MAX_RETRIES),
            settings.get(RETRY_BACKOFF),
            settings.get(RETRY_MAX_BACKOFF),
            settings.get(RETRY_AFTER_CAP)),
        providersFromEnv(env),
        settings.get(DEDUP_CAPACITY),
        settings.get(CLOSE_TIMEOUT),
        settings.get(MAX_BATCH_IN_FLIGHT),
        guards(settings),
        KeyStore.fromEnv(env),
        settings.get(DEDUP_LOOKBACK),
        settings.get(CATCH_UP_TIMEOUT),
        settings.get(METRICS_PORT),
        settings.get(METRICS_HOST),
        new DeliverySettings(
            settings.get(INSTANCE_ID).trim(),
            settings.get(TRANSACTION_TIMEOUT),
            settings.get(REVOKE_TIMEOUT),
            settings.get(FAULT)));
  }

  private static GuardSettings guards(final Settings settings) {
    return new GuardSettings(
        settings.get(MAX_CONCURRENT_PER_PROVIDER),
        settings.get(MAX_BATCH_CONCURRENT_PER_PROVIDER),
        settings.get(BREAKER_FAILURE_RATE),
        settings.get(BREAKER_WINDOW),
        settings.get(BREAKER_MINIMUM_CALLS),
        settings.get(BREAKER_OPEN),
        settings.get(MAX_CONCURRENT_PER_TENANT));
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

  /** How soon a transactional send the broker turned away (a commit still finishing) is retried. */
  static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

  /**
   * Producer of responses, usage and dead letters with the consumed offsets, one transaction per
   * round; its {@code transactional.id} is {@code <group>-<instance id>} (see {@link
   * DeliverySettings}).
   */
  public Properties transactionalProducerProperties() {
    // A round's first send meets the previous round's commit still writing its markers (the
    // broker answers CONCURRENT_TRANSACTIONS) and is retried after retry.backoff.ms: Kafka's
    // 100 ms default put that much on many replies' latency (docs/benchmarks.md, issue 17).
    final Map<String, Object> defaults =
        Map.of("max.block.ms", 10_000, "client.id", groupId + "-" + delivery.instanceId(),
            "retry.backoff.ms", TRANSACTION_RETRY_BACKOFF_MS);
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
    final Settings settings = Settings.of(env);
    final Map<String, ProviderEndpoint> endpoints = new TreeMap<>();
    for (final String envName : names) {
      final ProviderEndpoint endpoint = provider(settings, envName);
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

  /** The provider's three settings; the base URL is required unless the provider is a known one. */
  private static ProviderEndpoint provider(final Settings settings, final String envName) {
    final String name = ModelId.normalizeProvider(envName);
    final String prefix = PROVIDER_PREFIX + envName;
    final Setting<URI> baseUrl =
        Setting.<URI>of(prefix + BASE_URL, value -> URI.create(value.trim())).expecting("a URL");
    final URI url = Optional.ofNullable(DEFAULT_BASE_URLS.get(name))
        .map(known -> settings.get(baseUrl.withDefault(URI.create(known))))
        .orElseGet(() -> settings.get(baseUrl.required()));
    final ProviderFormat format = settings.get(Setting.of(prefix + FORMAT, ProviderFormat::parse)
        .withDefault(ProviderFormat.defaultFor(name)));
    return new ProviderEndpoint(name, url, settings.find(Setting.text(prefix + API_KEY)), format);
  }

  /** A duration of this service: whole milliseconds, 0 to {@code Integer.MAX_VALUE}. */
  private static Setting<Duration> millis(
      final String name, final long defaultMillis, final String description) {
    return Setting.millis(name).withDefault(Duration.ofMillis(defaultMillis))
        .withRange(0, Integer.MAX_VALUE).withDescription(description);
  }

  private static Setting<Integer> count(
      final String name, final int defaultValue, final int min, final String description) {
    return Setting.integer(name).withDefault(defaultValue).atLeast(min)
        .withDescription(description);
  }
}
