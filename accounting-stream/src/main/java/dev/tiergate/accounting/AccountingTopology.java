package dev.tiergate.accounting;

import dev.tiergate.runtime.TopicTables;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAlert;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.schemas.VirtualKey;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The accounting stream: usage is decoded (bad records to the dead-letter topic), priced against
 * the model catalogue and again on the frontier tier's first model (the counterfactual), marked
 * as a duplicate when its correlation id was already billed (still keyed by correlation id, so
 * before any repartition), then
 * <ul>
 *   <li>turned into one delta per tenant × dimension value, pre-summed per hour for an interval
 *       (so one record per key and interval, not per event, crosses the repartition), repartitioned
 *       by tenant, capped to a bounded number of values per tenant, dimension and month (the rest
 *       under {@code (other)}, repartitioned once more since that changes the key) and summed into
 *       four named stores (all-time total, hour, day and month windows
 *       with retention and grace; each dimension only in the windows it is kept in), every update
 *       published to the spend topic;
 *   <li>matched against the budgets, repartitioned by tenant, and tracked per budget and period,
 *       publishing budget state (keyed by budget id) for the router and one alert per threshold and
 *       period. Duplicates stay out of budgets: they are not the tenant's spend.
 * </ul>
 * Every step is named so stores, changelogs and repartition topics keep their names across upgrades.
 */
public final class AccountingTopology {

  public static final String USAGE_SOURCE = "usage-source";
  public static final String DECODE_USAGE = "decode-usage";
  public static final String SPLIT_USAGE = "usage-";
  public static final String INVALID_BRANCH = "invalid";
  public static final String VALID_BRANCH = "valid";
  public static final String DEAD_LETTER_VALUE = "dead-letter-bytes";
  public static final String DEAD_LETTER_SINK = "usage-dlq-sink";
  public static final String VALID_USAGE = "valid-usage";
  /** The catalogue table; Streams names its source node {@code models-source}. */
  public static final String MODELS_TABLE = "models";
  public static final String MODELS_STORE = "models-store";
  public static final String ROUTES_TABLE = "routes";
  public static final String ROUTES_STORE = "routes-store";
  public static final String BUDGETS_TABLE = "budgets";
  public static final String BUDGETS_STORE = "budgets-store";
  public static final String VIRTUAL_KEYS_TABLE = "virtual-keys";
  /** Hashed virtual keys, read by the query API to tell which tenant a caller may see. */
  public static final String VIRTUAL_KEYS_STORE = "virtual-keys-store";
  public static final String PRICE_USAGE = "price-usage";
  public static final String FIND_FRONTIER_MODEL = "find-frontier-model";
  public static final String PRICE_COUNTERFACTUAL = "price-counterfactual";
  /** Marks each usage after the first of its correlation id as platform cost. */
  public static final String DEDUPE_USAGE = "dedupe-usage";
  /** The correlation ids already billed, expiring with the requests topic's retention. */
  public static final String BILLED_USAGE_STORE = "billed-usage-store";
  /** Sums each interval's spend deltas per key before the repartition ({@link SpendPresummer}). */
  public static final String PRESUM_SPEND = "presum-spend";
  /** The pre-summed deltas of the current interval, changelogged so exactly-once holds. */
  public static final String SPEND_PENDING_STORE = "spend-pending-store";
  /** Repartition of the deltas by tenant, so one tenant's rows live on one partition. */
  public static final String SPEND_BY_TENANT = "spend-by-tenant";
  /** Keeps at most a bounded number of values per tenant, dimension and month ({@link SpendValueCap}). */
  public static final String CAP_SPEND_VALUES = "cap-spend-values";
  /** The values each tenant and dimension was admitted with this month and last. */
  public static final String SPEND_VALUES_STORE = "spend-values-store";
  /** The capped deltas, repartitioned by tenant again (a value past the bound changed its key). */
  public static final String SPEND_CAPPED = "spend-capped";
  public static final String SUM_SPEND = "sum-spend";
  /** The queryable store of all-time aggregates, keyed by {@link SpendKey#storeKey()}. */
  public static final String SPEND_STORE = SpendWindow.TOTAL_STORE;
  public static final String SPEND_UPDATES = "spend-updates";
  public static final String SPEND_SINK = "spend-sink";
  /** Keeps duplicates (platform cost) away from budgets: they are not the tenant's spend. */
  public static final String BILLED_ONLY = "billed-usage-only";
  public static final String MATCH_BUDGETS = "match-budgets";
  public static final String BUDGET_USAGE = "budget-usage";
  public static final String TRACK_BUDGETS = "track-budgets";
  public static final String BUDGET_STATE_STORE = "budget-state-store";
  public static final String BUDGET_ALERTS_STORE = "budget-alerts-store";
  public static final String SPLIT_BUDGET = "budget-";
  public static final String ALERT_BRANCH = "alert";
  public static final String STATE_BRANCH = "state";
  public static final String BUDGET_STATE_SINK = "budget-state-sink";
  public static final String BUDGET_ALERT_SINK = "budget-alert-sink";

  private AccountingTopology() {}

  /** Builds the topology; pure, no I/O. */
  public static Topology build(final SerdeFactory serdes, final AccountingConfig config) {
    return build(serdes, config, SpendMeter.NONE);
  }

  /**
   * Builds the topology; pure, no I/O.
   *
   * @param meter told of each usage as it is booked (the metrics' spend rate)
   */
  public static Topology build(
      final SerdeFactory serdes, final AccountingConfig config, final SpendMeter meter) {
    Objects.requireNonNull(meter, "meter");
    Objects.requireNonNull(serdes, "serdes");
    Objects.requireNonNull(config, "config");
    final StreamsBuilder builder = new StreamsBuilder();
    final GlobalKTable<String, ModelSpec> models =
        globalTable(builder, serdes, Topics.MODELS, MODELS_TABLE, MODELS_STORE);
    final GlobalKTable<String, Route> routes =
        globalTable(builder, serdes, Topics.ROUTES, ROUTES_TABLE, ROUTES_STORE);
    globalTable(builder, serdes, Topics.BUDGETS, BUDGETS_TABLE, BUDGETS_STORE);
    globalTable(builder, serdes, Topics.VIRTUAL_KEYS, VIRTUAL_KEYS_TABLE, VIRTUAL_KEYS_STORE);
    builder.addStateStore(UsageDeduplicator.store(BILLED_USAGE_STORE, UsageDeduplicator.RETENTION));
    final Map<String, KStream<String, DecodedUsage>> branches = decodedUsage(builder, serdes);

    branches
        .get(SPLIT_USAGE + INVALID_BRANCH)
        .mapValues(DecodedUsage::raw, Named.as(DEAD_LETTER_VALUE))
        .to(Topics.USAGE_DLQ.name(), produced(Topics.USAGE_DLQ, serdes, DEAD_LETTER_SINK));

    final KStream<String, PricedUsage> priced = branches
        .get(SPLIT_USAGE + VALID_BRANCH)
        .mapValues(DecodedUsage::usage, Named.as(VALID_USAGE))
        .leftJoin(models, (key, usage) -> usage.getModel(), new UsagePricer(), Named.as(PRICE_USAGE))
        .leftJoin(routes, (key, usage) -> CounterfactualPricer.frontierRuleKey(usage),
            CounterfactualPricer::withFrontierModel, Named.as(FIND_FRONTIER_MODEL))
        .leftJoin(models, (key, usage) -> CounterfactualPricer.frontierModelKey(usage),
            CounterfactualPricer::withCounterfactual, Named.as(PRICE_COUNTERFACTUAL))
        .processValues(() -> new UsageDeduplicator(BILLED_USAGE_STORE, UsageDeduplicator.RETENTION, meter),
            Named.as(DEDUPE_USAGE), BILLED_USAGE_STORE);

    spend(builder, priced, serdes, config);
    budgets(builder, priced, serdes, config);
    return builder.build(config.streamsProperties());
  }

  private static void spend(
      final StreamsBuilder builder,
      final KStream<String, PricedUsage> priced,
      final SerdeFactory serdes,
      final AccountingConfig config) {
    final Serde<SpendAggregate> spendSerde = Topics.SPEND.valueSerde(serdes);
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(SPEND_PENDING_STORE), Serdes.String(),
            Serdes.ByteArray())
        .withCachingEnabled());
    builder.addStateStore(keyValueStore(SPEND_VALUES_STORE, Serdes.Long()));
    final KStream<String, SpendAggregate> byTenant = priced
        .process(() -> new SpendPresummer(config.presumInterval(), SPEND_PENDING_STORE), Named.as(PRESUM_SPEND),
            SPEND_PENDING_STORE)
        .repartition(byTenant(SPEND_BY_TENANT, spendSerde))
        .process(() -> new SpendValueCap(config.spendMaxValues(), SPEND_VALUES_STORE), Named.as(CAP_SPEND_VALUES),
            SPEND_VALUES_STORE)
        .repartition(byTenant(SPEND_CAPPED, spendSerde));

    byTenant
        .groupByKey(Grouped.with(Serdes.String(), spendSerde))
        .reduce(SpendAggregates::sum, Named.as(SUM_SPEND),
            TopicTables.store(SPEND_STORE, spendSerde))
        .toStream(Named.as(SPEND_UPDATES))
        .selectKey((key, aggregate) -> SpendAggregates.topicKey(aggregate), Named.as("spend-keyed"))
        .to(Topics.SPEND.name(), produced(Topics.SPEND, serdes, SPEND_SINK));

    for (final SpendWindow window : SpendWindow.values()) {
      if (window.windowed()) {
        windowedSpend(byTenant, window, spendSerde, serdes, config);
      }
    }
  }

  /**
   * One calendar window: the deltas of the dimensions kept in it (sessions are not kept per hour),
   * summed in the window's own store, each update published with the window stamped.
   */
  private static void windowedSpend(
      final KStream<String, SpendAggregate> byTenant,
      final SpendWindow window,
      final Serde<SpendAggregate> spendSerde,
      final SerdeFactory serdes,
      final AccountingConfig config) {
    final String name = "spend-" + window.label();
    byTenant
        .filter((key, delta) -> SpendAggregates.dimension(delta).keptIn(window),
            Named.as(name + "-dimensions"))
        .groupByKey(Grouped.with(Serdes.String(), spendSerde))
        .windowedBy(new CalendarWindows(window, config.grace()))
        .reduce(SpendAggregates::sum, Named.as("sum-" + name),
            Materialized.<String, SpendAggregate, WindowStore<Bytes, byte[]>>as(window.storeName())
                .withKeySerde(Serdes.String())
                .withValueSerde(spendSerde)
                .withRetention(window.retention()))
        .toStream(Named.as(name + "-updates"))
        .map((key, aggregate) -> {
          final SpendAggregate stamped =
              SpendAggregates.inWindow(aggregate, window, key.window().startTime());
          return KeyValue.pair(SpendAggregates.topicKey(stamped), stamped);
        }, Named.as(name + "-keyed"))
        .to(Topics.SPEND.name(), produced(Topics.SPEND, serdes, name + "-sink"));
  }

  private static void budgets(
      final StreamsBuilder builder,
      final KStream<String, PricedUsage> priced,
      final SerdeFactory serdes,
      final AccountingConfig config) {
    final Serde<BudgetState> stateSerde = Topics.BUDGET_STATE.valueSerde(serdes);
    // Written on every billed usage: cached, so RocksDB and the changelog get each budget's last
    // state (and threshold) per commit, inside the same transaction, instead of every one.
    builder.addStateStore(keyValueStore(BUDGET_STATE_STORE, stateSerde).withCachingEnabled());
    builder.addStateStore(keyValueStore(BUDGET_ALERTS_STORE, Serdes.String()).withCachingEnabled());
    final Map<String, KStream<String, BudgetUpdate>> updates = priced
        .filterNot((key, usage) -> usage.duplicate(), Named.as(BILLED_ONLY))
        .process(() -> new BudgetMatcher(BUDGETS_STORE), Named.as(MATCH_BUDGETS))
        .repartition(byTenant(BUDGET_USAGE, stateSerde))
        .process(() -> new BudgetTracker(config.budgetCheckInterval(),
                BUDGET_STATE_STORE, BUDGET_ALERTS_STORE, BUDGETS_STORE), Named.as(TRACK_BUDGETS),
            BUDGET_STATE_STORE, BUDGET_ALERTS_STORE)
        .split(Named.as(SPLIT_BUDGET))
        .branch((key, update) -> update.isAlert(), Branched.as(ALERT_BRANCH))
        .defaultBranch(Branched.as(STATE_BRANCH));
    updates.get(SPLIT_BUDGET + ALERT_BRANCH)
        .map((key, update) -> KeyValue.pair(update.budgetId(), update.alert()),
            Named.as("budget-alert-by-id"))
        .to(Topics.BUDGET_ALERTS.name(), produced(Topics.BUDGET_ALERTS, serdes, BUDGET_ALERT_SINK));
    updates.get(SPLIT_BUDGET + STATE_BRANCH)
        .map((key, update) -> KeyValue.pair(update.budgetId(), update.state()),
            Named.as("budget-state-by-id"))
        .to(Topics.BUDGET_STATE.name(), produced(Topics.BUDGET_STATE, serdes, BUDGET_STATE_SINK));
  }

  private static <V> GlobalKTable<String, V> globalTable(
      final StreamsBuilder builder,
      final SerdeFactory serdes,
      final Topic<V> topic,
      final String name,
      final String storeName) {
    // Looked up per usage: each distinct record is decoded once (DecodeOnceSerde).
    return TopicTables.global(
        builder, topic, new DecodeOnceSerde<>(topic.valueSerde(serdes)), name, storeName);
  }

  /** Usage as raw bytes, decoded in a named step and split into valid and dead-letter branches. */
  private static Map<String, KStream<String, DecodedUsage>> decodedUsage(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    final Deserializer<UsageEvent> deserializer =
        Topics.USAGE.valueSerde(serdes).deserializer();
    return builder
        .stream(
            Topics.USAGE.name(),
            Consumed.with(Topics.USAGE.keySerde(), Serdes.ByteArray()).withName(USAGE_SOURCE))
        .process(() -> new UsageDecoder(deserializer), Named.as(DECODE_USAGE))
        .split(Named.as(SPLIT_USAGE))
        .branch((key, decoded) -> decoded.failed(), Branched.as(INVALID_BRANCH))
        .defaultBranch(Branched.as(VALID_BRANCH));
  }

  /** A named repartition by tenant ({@link TenantPartitioner}): each tenant on one partition. */
  private static <V> Repartitioned<String, V> byTenant(
      final String name, final Serde<V> valueSerde) {
    return Repartitioned.with(Serdes.String(), valueSerde)
        .withName(name)
        .withStreamPartitioner(new TenantPartitioner<>());
  }

  private static <V> Produced<String, V> produced(
      final Topic<V> topic, final SerdeFactory serdes, final String name) {
    return Produced.with(topic.keySerde(), topic.valueSerde(serdes)).withName(name);
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> keyValueStore(
      final String name, final Serde<V> valueSerde) {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde);
  }
}
