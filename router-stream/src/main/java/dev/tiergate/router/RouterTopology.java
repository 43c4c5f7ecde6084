package dev.tiergate.router;

import dev.tiergate.router.DecodedRequest.Decoded;
import dev.tiergate.router.DecodedRequest.Undecodable;
import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.router.predict.BackgroundCalls;
import dev.tiergate.router.predict.BlendedPredictor;
import dev.tiergate.router.predict.DifficultyPredictor;
import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.router.predict.PacedPredictor;
import dev.tiergate.runtime.TopicTables;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The router topology: {@code tiergate.requests} (keyed by session id) joined with the routing
 * table becomes {@code tiergate.routed} (keyed by correlation id; batch items go to {@code
 * tiergate.routed-batch} instead, so they never queue ahead of interactive requests). Requests that match no rule get
 * an error reply on {@code tiergate.responses}; records that do not decode go, byte for byte, to
 * {@code tiergate.requests.dlq}. The decision ({@link RouteResolver}) reads three global stores
 * (routes, with an index of models by tier kept by its update step; the model catalogue; budget
 * states from accounting) and one local store: the last model of each tenant's session. Requests
 * are keyed by session id already, so that store needs no repartition; its changelog is the only
 * internal topic.
 *
 * <p>Every step is named so an upgrade keeps its state and its consumer positions; the names are
 * pinned by a test.
 */
public final class RouterTopology {

  /** The routing table's GlobalKTable store, readable by interactive queries. */
  public static final String ROUTES_STORE = "router-routes-store";

  /** The model catalogue's GlobalKTable store. */
  public static final String MODELS_STORE = "router-models-store";
  /** The budget states' GlobalKTable store. */
  public static final String BUDGET_STATE_STORE = "router-budget-state-store";
  /** Each session's last model and family, keyed by tenant + session id; changelogged. */
  public static final String SESSIONS_STORE = "router-sessions-store";
  /** The budgets ({@code tiergate.budgets}) GlobalKTable store: limits, scope, action. */
  public static final String BUDGETS_STORE = "router-budgets-store";
  /** Outstanding budget reservations by correlation id, in the tenant's task; changelogged. */
  public static final String RESERVATIONS_STORE = "router-reservations-store";

  /** The names above, as the processors receive them. */
  static final StoreNames STORES = new StoreNames(ROUTES_STORE, MODELS_STORE, BUDGET_STATE_STORE,
      BUDGETS_STORE, SESSIONS_STORE, RESERVATIONS_STORE);

  static final String ROUTES_SOURCE = "router-routes-table";
  static final String MODELS_SOURCE = "router-models-table";
  static final String BUDGET_STATE_SOURCE = "router-budget-state-table";
  static final String BUDGETS_SOURCE = "router-budgets-table";
  static final String USAGE_SOURCE = "router-usage-source";
  static final String SEE_USAGE = "router-see-usage";
  static final String PLAN_RESERVATION = "router-plan-reservation";
  static final String RESERVATION_BRANCH = "router-reservation-";
  static final String RESERVE = "reserve";
  static final String DIRECT = "direct";
  static final String RESERVE_BY_TENANT = "router-reserve-by-tenant";
  static final String MERGE_USAGE = "router-merge-usage-sightings";
  /** The repartition by tenant: {@code <application.id>-router-reservations-by-tenant-repartition}. */
  static final String RESERVATIONS_BY_TENANT = "router-reservations-by-tenant";
  static final String RESERVE_BUDGET = "router-reserve-budget";
  static final String RESERVED_BRANCH = "router-reserved-";
  static final String ADMITTED = "admitted";
  static final String REFUSED = "refused";
  static final String ADMITTED_VALUE = "router-admitted-request";
  static final String ADMITTED_KIND_BRANCH = "router-admitted-kind-";
  static final String ADMITTED_SINK = "router-admitted-sink";
  static final String ADMITTED_BATCH_SINK = "router-admitted-batch-sink";
  static final String REFUSED_VALUE = "router-refused-response";
  static final String REFUSED_SINK = "router-refused-sink";
  static final String COUNT_DEAD_LETTER = "router-count-dead-letter";
  static final String REQUESTS_SOURCE = "router-requests-source";
  static final String DECODE = "router-decode-request";
  static final String DECODE_BRANCH = "router-decode-";
  static final String DECODED = "ok";
  static final String UNDECODABLE = "dead-letter";
  static final String DLQ_VALUE = "router-dead-letter-bytes";
  static final String DLQ_SINK = "router-requests-dlq-sink";
  static final String DECODED_VALUE = "router-decoded-request";
  static final String RESOLVE = "router-resolve-route";
  static final String REKEY = "router-key-by-correlation-id";
  static final String OUTCOME_BRANCH = "router-outcome-";
  static final String ROUTED = "routed";
  static final String UNROUTABLE = "unroutable";
  static final String ROUTED_VALUE = "router-routed-request";
  static final String ROUTED_SINK = "router-routed-sink";
  static final String KIND_BRANCH = "router-routed-kind-";
  static final String BATCH = "batch";
  static final String INTERACTIVE = "interactive";
  static final String ROUTED_BATCH_SINK = "router-routed-batch-sink";
  static final String ERROR_VALUE = "router-unroutable-response";
  static final String ERROR_SINK = "router-unroutable-sink";

  private RouterTopology() {}

  /**
   * Builds the topology with in-memory metrics and the shipped predictor (when the config's policy
   * enables it); pure (no I/O beyond reading the classpath), optimisation on.
   */
  public static Topology build(final SerdeFactory serdes, final RouterConfig config) {
    Objects.requireNonNull(serdes, "serdes");
    Objects.requireNonNull(config, "config");
    return build(serdes, config, RouterMetrics.inMemory(),
        shippedPredictor(config.policy()));
  }

  /**
   * The predictor the policy asks for: the blended model (sentence embedding and n-grams, held to
   * half of each stream thread's time), the n-gram model alone, or none.
   */
  public static DifficultyScorer shippedPredictor(final RouterConfig.Policy policy) {
    if (!policy.predict()) {
      return null;
    }
    return policy.embeddings()
        ? new PacedPredictor(BlendedPredictor.loadDefault())
        : DifficultyPredictor.loadDefault();
  }

  /**
   * Builds the topology with the service's metrics; {@code predictor} null sends requests without a
   * mode to the tier default.
   */
  static Topology build(
      final SerdeFactory serdes,
      final RouterConfig config,
      final RouterMetrics metrics,
      final DifficultyScorer predictor) {
    final StreamsBuilder builder = new StreamsBuilder();
    final RouteIndex routeIndex = new RouteIndex();
    viewedTable(builder, Topics.ROUTES.name(), Topics.ROUTES.valueSerde(serdes),
        ROUTES_SOURCE, ROUTES_STORE, routeIndex);
    final Catalogue catalogue = new Catalogue();
    viewedTable(builder, Topics.MODELS.name(), Topics.MODELS.valueSerde(serdes),
        MODELS_SOURCE, MODELS_STORE, catalogue);
    TopicTables.global(builder, Topics.BUDGET_STATE, Topics.BUDGET_STATE.valueSerde(serdes),
        BUDGET_STATE_SOURCE, BUDGET_STATE_STORE);
    TopicTables.global(builder, Topics.BUDGETS, Topics.BUDGETS.valueSerde(serdes),
        BUDGETS_SOURCE, BUDGETS_STORE);
    builder.addStateStore(sessionStore());
    builder.addStateStore(reservationsStore());
    final TokenEstimator tokens = new TokenEstimator();
    final RouteResolver resolver = new RouteResolver(config.defaultTier(), predictor,
        config.policy().backgroundCalls() ? BackgroundCalls.loadDefault() : null,
        config.policy().switchFactor(), tokens);
    final KStream<String, ReservationEvent> usageSightings =
        usageSightings(builder, serdes, config.policy());
    final KStream<String, DecodedRequest> decoded = decodedRequests(builder, serdes);
    final Reservations reservations =
        new Reservations(serdes, config.policy(), metrics, tokens, usageSightings);
    final RouteStep step =
        new RouteStep(resolver, config.policy(), metrics, routeIndex, catalogue, STORES);
    decoded
        .split(Named.as(DECODE_BRANCH))
        .branch(
            (key, value) -> value instanceof Decoded,
            Branched.withConsumer(ok -> route(ok, serdes, step, reservations), DECODED))
        .defaultBranch(
            Branched.withConsumer(undecodable -> deadLetter(undecodable, metrics), UNDECODABLE));
    return builder.build(config.streamsProperties());
  }

  /**
   * A table (routes, models) as a global store with its own update step, so an in-memory view the
   * decision reads (the rules and the index of models by tier; the decoded catalogue) changes with
   * each record and a decision reads no store; the store and node names are those the GlobalKTable
   * had.
   */
  private static <V> void viewedTable(
      final StreamsBuilder builder,
      final String topic,
      final Serde<V> values,
      final String sourceName,
      final String storeName,
      final TableSnapshot<V> view) {
    builder.addGlobalStore(
        Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(storeName), Serdes.String(), values)
            .withLoggingDisabled(),
        topic,
        Consumed.with(Serdes.String(), values).withName(sourceName),
        () -> new GlobalTableProcessor<>(view, storeName));
  }

  /**
   * Cached: its changelog records go out with the commit (once a second), one produce request for
   * them all, and a session written twice between commits sends one. Uncached, each new session
   * was a changelog record of its own, sent at once beside the routed record: about 0.4 of the
   * router's produce requests per request (docs/benchmarks.md). A crash loses nothing a replay
   * does not write again: the offsets commit after the flush.
   */
  static StoreBuilder<KeyValueStore<String, SessionRoute>> sessionStore() {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SESSIONS_STORE), Serdes.String(), SessionRoute.serde())
        .withCachingEnabled();
  }

  private static StoreBuilder<KeyValueStore<String, Reservation>> reservationsStore() {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RESERVATIONS_STORE), Serdes.String(), Reservation.serde());
  }

  /**
   * Where each usage sits on {@code tiergate.usage}, for tenants with a hard budget. A new router
   * starts at the end of the topic: no reservation predates it.
   */
  private static KStream<String, ReservationEvent> usageSightings(
      final StreamsBuilder builder, final SerdeFactory serdes, final RouterConfig.Policy policy) {
    return builder
        .stream(
            Topics.USAGE.name(),
            Consumed.with(Topics.USAGE.keySerde(), Serdes.ByteArray())
                .withName(USAGE_SOURCE)
                .withOffsetResetPolicy(AutoOffsetReset.latest()))
        .process(
            () -> new UsageSightingProcessor(Topics.USAGE.valueSerde(serdes).deserializer(),
                BUDGETS_STORE, policy.budgetRefresh().toMillis()),
            Named.as(SEE_USAGE));
  }

  private static KStream<String, DecodedRequest> decodedRequests(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    return builder
        .stream(
            Topics.REQUESTS.name(),
            Consumed.with(Topics.REQUESTS.keySerde(), Serdes.ByteArray()).withName(REQUESTS_SOURCE))
        .processValues(
            () -> new DecodeRequestProcessor(Topics.REQUESTS.valueSerde(serdes).deserializer()),
            Named.as(DECODE));
  }

  private static void deadLetter(
      final KStream<String, DecodedRequest> undecodable, final RouterMetrics metrics) {
    undecodable
        .peek((key, value) -> metrics.deadLettered(), Named.as(COUNT_DEAD_LETTER))
        .mapValues(value -> ((Undecodable) value).raw(), Named.as(DLQ_VALUE))
        .to(
            Topics.REQUESTS_DLQ.name(),
            Produced.with(Topics.REQUESTS_DLQ.keySerde(), Serdes.ByteArray()).withName(DLQ_SINK));
  }

  private static void route(
      final KStream<String, DecodedRequest> decoded,
      final SerdeFactory serdes,
      final RouteStep step,
      final Reservations reservations) {
    decoded
        .mapValues(value -> ((Decoded) value).request(), Named.as(DECODED_VALUE))
        .processValues(
            () -> new ResolveRouteProcessor(step),
            Named.as(RESOLVE),
            SESSIONS_STORE)
        .selectKey((sessionId, outcome) -> outcome.correlationId(), Named.as(REKEY))
        .split(Named.as(OUTCOME_BRANCH))
        .branch(
            (key, outcome) -> outcome instanceof Routed,
            Branched.withConsumer(routed -> toRouted(routed, serdes, reservations), ROUTED))
        .defaultBranch(Branched.withConsumer(error -> toResponses(error, serdes), UNROUTABLE));
  }

  /** What the reservation branch needs, built once. */
  private record Reservations(
      SerdeFactory serdes,
      RouterConfig.Policy policy,
      RouterMetrics metrics,
      TokenEstimator tokens,
      KStream<String, ReservationEvent> usageSightings) {}

  /**
   * Requests a hard budget covers reserve their bound first: keyed by tenant (with the usage
   * sightings), so one task holds all of a tenant's reservations; admitted ones go on to the same
   * topics, refused ones become error replies. Batch items go to their own topic so the dispatcher can hold
   * them back without holding back the interactive requests behind them; both topics are keyed by
   * correlation id.
   */
  private static void toRouted(
      final KStream<String, RoutingOutcome> routed,
      final SerdeFactory serdes,
      final Reservations reservations) {
    final Map<String, KStream<String, RoutedRequest>> byBudget = routed
        .mapValues(outcome -> ((Routed) outcome).routed(), Named.as(ROUTED_VALUE))
        .processValues(
            () -> new PlanReservationProcessor(reservations.policy(), reservations.tokens(), STORES),
            Named.as(PLAN_RESERVATION))
        .split(Named.as(RESERVATION_BRANCH))
        .branch((key, request) -> request.getDecision().getReservedMicros() > 0,
            Branched.as(RESERVE))
        .defaultBranch(Branched.as(DIRECT));
    toRoutedTopics(byBudget.get(RESERVATION_BRANCH + DIRECT), serdes, KIND_BRANCH,
        ROUTED_BATCH_SINK, ROUTED_SINK);
    // Not merged with the direct ones: that would pull the repartition's source into the first
    // sub-topology, a loop Streams cannot size; the admitted have sinks of their own.
    toRoutedTopics(reserve(byBudget.get(RESERVATION_BRANCH + RESERVE), serdes, reservations),
        serdes, ADMITTED_KIND_BRANCH, ADMITTED_BATCH_SINK, ADMITTED_SINK);
  }

  private static void toRoutedTopics(
      final KStream<String, RoutedRequest> routed,
      final SerdeFactory serdes,
      final String branchName,
      final String batchSink,
      final String interactiveSink) {
    routed
        .split(Named.as(branchName))
        .branch(
            (key, request) -> isBatch(request),
            Branched.withConsumer(batch -> batch.to(Topics.ROUTED_BATCH.name(),
                Produced.with(Topics.ROUTED_BATCH.keySerde(), Topics.ROUTED_BATCH.valueSerde(serdes))
                    .withName(batchSink)), BATCH))
        .defaultBranch(
            Branched.withConsumer(interactive -> interactive.to(Topics.ROUTED.name(),
                Produced.with(Topics.ROUTED.keySerde(), Topics.ROUTED.valueSerde(serdes))
                    .withName(interactiveSink)), INTERACTIVE));
  }

  /** The reservation step; returns the admitted requests, keyed by correlation id. */
  private static KStream<String, RoutedRequest> reserve(
      final KStream<String, RoutedRequest> toReserve,
      final SerdeFactory serdes,
      final Reservations reservations) {
    final Serde<ReservationEvent> events =
        ReservationEvent.serde(Topics.ROUTED.valueSerde(serdes));
    final Map<String, KStream<String, RoutingOutcome>> decided = toReserve
        .map((correlationId, request) -> KeyValue.pair(request.getRequest().getTenant(),
            (ReservationEvent) new ReservationEvent.Reserve(request)), Named.as(RESERVE_BY_TENANT))
        .merge(reservations.usageSightings(), Named.as(MERGE_USAGE))
        .repartition(Repartitioned.with(Serdes.String(), events).withName(RESERVATIONS_BY_TENANT))
        .process(() -> new ReserveBudgetProcessor(reservations.policy(), reservations.metrics(), STORES),
            Named.as(RESERVE_BUDGET), RESERVATIONS_STORE)
        .split(Named.as(RESERVED_BRANCH))
        .branch((key, outcome) -> outcome instanceof Routed, Branched.as(ADMITTED))
        .defaultBranch(Branched.as(REFUSED));
    decided.get(RESERVED_BRANCH + REFUSED)
        .mapValues(outcome -> ((Unroutable) outcome).response(), Named.as(REFUSED_VALUE))
        .to(Topics.RESPONSES.name(),
            Produced.with(Topics.RESPONSES.keySerde(), Topics.RESPONSES.valueSerde(serdes))
                .withName(REFUSED_SINK));
    return decided.get(RESERVED_BRANCH + ADMITTED)
        .mapValues(outcome -> ((Routed) outcome).routed(), Named.as(ADMITTED_VALUE));
  }

  /** The dispatcher's test for a batch item too: {@code apiKind=BATCH} or a batch id. */
  static boolean isBatch(final RoutedRequest routed) {
    final ChatRequest request = routed.getRequest();
    return request.getApiKind() == ApiKind.BATCH || request.getBatchId() != null;
  }

  private static void toResponses(
      final KStream<String, RoutingOutcome> errors, final SerdeFactory serdes) {
    errors
        .mapValues(outcome -> ((Unroutable) outcome).response(), Named.as(ERROR_VALUE))
        .to(
            Topics.RESPONSES.name(),
            Produced.with(Topics.RESPONSES.keySerde(), Topics.RESPONSES.valueSerde(serdes))
                .withName(ERROR_SINK));
  }
}
