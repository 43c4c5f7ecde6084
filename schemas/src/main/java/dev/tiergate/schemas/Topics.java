package dev.tiergate.schemas;

import dev.tiergate.schemas.Topic.CleanupPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The typed catalogue of every topic in the pipeline (see DESIGN.md). */
public final class Topics {

  /** Partitions of the high-volume topics; the unit of parallelism of every stage. */
  public static final int PIPELINE_PARTITIONS = 6;

  private static final Optional<Duration> WEEK = Optional.of(Duration.ofDays(7));
  private static final Optional<Duration> DAY = Optional.of(Duration.ofDays(1));
  private static final Optional<Duration> BROKER_DEFAULT = Optional.empty();

  /** Normalized requests, keyed by session id. */
  public static final Topic<ChatRequest> REQUESTS =
      stream("tiergate.requests", ChatRequest.class, WEEK);
  /** Requests with the router's decision, keyed by correlation id. */
  public static final Topic<RoutedRequest> ROUTED =
      stream("tiergate.routed", RoutedRequest.class, WEEK);
  /**
   * Routed batch items ({@code apiKind=BATCH}), keyed by correlation id; partitioned and retained
   * like {@link #ROUTED}. A topic of their own so the dispatcher can hold back batch items (pause
   * these partitions) while interactive requests on {@link #ROUTED} keep flowing.
   */
  public static final Topic<RoutedRequest> ROUTED_BATCH =
      stream("tiergate.routed-batch", RoutedRequest.class, WEEK);
  /** Final responses, keyed by correlation id. */
  public static final Topic<ChatResponse> RESPONSES =
      stream("tiergate.responses", ChatResponse.class, WEEK);
  /** Streaming deltas, keyed by correlation id; short-lived by nature. */
  public static final Topic<ChatChunk> RESPONSE_CHUNKS =
      stream("tiergate.response-chunks", ChatChunk.class, DAY);
  /** Tokens spent per request, keyed by correlation id. */
  public static final Topic<UsageEvent> USAGE =
      stream("tiergate.usage", UsageEvent.class, Optional.of(Duration.ofDays(35)));
  /**
   * Cancellations (client gone, deadline passed), keyed by correlation id; partitioned like
   * {@link #ROUTED} so a request and its cancel land on the same partition number.
   */
  public static final Topic<CancelEvent> CANCELS =
      stream("tiergate.cancels", CancelEvent.class, DAY);
  /**
   * Each ingress instance's rate-limit counts per key and tenant over the last minute, keyed by
   * subject; every instance reads all of them, so limits hold across instances. An hour of
   * retention: readers only look back one minute.
   */
  public static final Topic<LimitCounts> LIMIT_COUNTS =
      stream("tiergate.limit-counts", LimitCounts.class, Optional.of(Duration.ofHours(1)));
  /** Spend aggregates per tenant, dimension and window. */
  public static final Topic<SpendAggregate> SPEND =
      stream("tiergate.spend", SpendAggregate.class, Optional.of(Duration.ofDays(35)));
  /** Budget threshold crossings. */
  public static final Topic<BudgetAlert> BUDGET_ALERTS =
      stream("tiergate.budget-alerts", BudgetAlert.class, Optional.of(Duration.ofDays(35)));

  /** The routing table: rules keyed tier/mode, tier/* for the tier's default. */
  public static final Topic<Route> ROUTES = table("tiergate.routes", Route.class);
  /** The model catalogue, keyed by provider/model id. */
  public static final Topic<ModelSpec> MODELS = table("tiergate.models", ModelSpec.class);
  /** Budget limits, keyed by budget id. */
  public static final Topic<Budget> BUDGETS = table("tiergate.budgets", Budget.class);
  /** Current spend per budget, keyed by budget id; read by the router. */
  public static final Topic<BudgetState> BUDGET_STATE =
      table("tiergate.budget-state", BudgetState.class);
  /** Batch progress, keyed by batch id. */
  public static final Topic<BatchProgress> BATCHES = table("tiergate.batches", BatchProgress.class);
  /**
   * Batch submissions, keyed by batch id; written before the items. Partitioned like the pipeline
   * so the batch-progress stream can join it with items re-keyed by batch id (co-partitioned).
   */
  public static final Topic<BatchManifest> BATCH_MANIFESTS =
      new Topic<>(
          "tiergate.batch-manifests", BatchManifest.class, PIPELINE_PARTITIONS,
          CleanupPolicy.COMPACT, BROKER_DEFAULT);

  /** How long a stored response (Responses API, {@code store: true}) can be read or continued. */
  public static final Duration STORED_RESPONSE_RETENTION = Duration.ofDays(30);
  /**
   * Stored OpenAI Responses turns, keyed by response id ({@code resp_...}): compacted, so a
   * tombstone deletes one, and removed after {@link #STORED_RESPONSE_RETENTION}. Every ingress
   * reads all of it into a table.
   */
  public static final Topic<StoredResponse> STORED_RESPONSES =
      new Topic<>(
          "tiergate.stored-responses", StoredResponse.class, PIPELINE_PARTITIONS,
          CleanupPolicy.COMPACT_DELETE, Optional.of(STORED_RESPONSE_RETENTION));

  /** Virtual keys, hashed, keyed by the key's SHA-256 hex digest. */
  public static final Topic<VirtualKey> VIRTUAL_KEYS =
      table("tiergate.virtual-keys", VirtualKey.class);

  /** Dead letters: the original bytes, with the reason in the headers. */
  public static final Topic<byte[]> REQUESTS_DLQ = deadLetters(REQUESTS);
  public static final Topic<byte[]> ROUTED_DLQ = deadLetters(ROUTED);
  public static final Topic<byte[]> ROUTED_BATCH_DLQ = deadLetters(ROUTED_BATCH);
  public static final Topic<byte[]> RESPONSES_DLQ = deadLetters(RESPONSES);
  public static final Topic<byte[]> USAGE_DLQ = deadLetters(USAGE);
  public static final Topic<byte[]> ROUTES_DLQ = deadLetters(ROUTES);
  public static final Topic<byte[]> MODELS_DLQ = deadLetters(MODELS);

  public static final List<Topic<?>> ALL =
      List.of(
          REQUESTS, ROUTED, ROUTED_BATCH, RESPONSES, RESPONSE_CHUNKS, USAGE, CANCELS, SPEND,
          BUDGET_ALERTS, LIMIT_COUNTS,
          ROUTES, MODELS, BUDGETS, BUDGET_STATE, BATCHES, BATCH_MANIFESTS, VIRTUAL_KEYS,
          STORED_RESPONSES,
          REQUESTS_DLQ, ROUTED_DLQ, ROUTED_BATCH_DLQ, RESPONSES_DLQ, USAGE_DLQ, ROUTES_DLQ,
          MODELS_DLQ);

  private Topics() {}

  private static <V> Topic<V> stream(
      final String name, final Class<V> type, final Optional<Duration> retention) {
    return new Topic<>(name, type, PIPELINE_PARTITIONS, CleanupPolicy.DELETE, retention);
  }

  private static <V> Topic<V> table(final String name, final Class<V> type) {
    return new Topic<>(name, type, 1, CleanupPolicy.COMPACT, BROKER_DEFAULT);
  }

  private static Topic<byte[]> deadLetters(final Topic<?> input) {
    return new Topic<>(input.name() + ".dlq", byte[].class, 1, CleanupPolicy.DELETE, WEEK);
  }
}
