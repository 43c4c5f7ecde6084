package dev.tiergate.accounting.batch;

import dev.tiergate.accounting.CostCalculator;
import dev.tiergate.runtime.TopicTables;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The batch-progress stream: answers to batch items on the responses topic are re-keyed by batch id,
 * de-duplicated by correlation id (a redelivered answer counts once) and counted done or failed.
 * The cost comes from the usage topic, by the accounting stream's own rule: the first usage of each
 * correlation id (in the usage partition, before the repartition), priced against the model
 * catalogue with the accounting {@code CostCalculator}; so a batch costs what spend billed for its
 * items, and a second provider call for an item is platform cost there, not batch cost here. Counts
 * and costs are summed per batch and joined with the batch's manifest (its total) into
 * {@code BatchProgress} on the compacted batches topic. Every step is named so stores, changelogs
 * and the repartition topics keep their names across upgrades.
 */
public final class BatchProgressTopology {

  public static final String RESPONSES_SOURCE = "batch-responses-source";
  public static final String BATCH_ITEMS_ONLY = "batch-items-only";
  public static final String KEY_BY_BATCH = "batch-items-key-by-batch";
  /** The repartition topic is {@code <app id>-batch-items-by-batch-repartition}. */
  public static final String ITEMS_BY_BATCH = "batch-items-by-batch";
  public static final String DEDUPE_ITEMS = "batch-dedupe-items";
  /** Window store of the correlation ids already counted, expiring after the dedup retention. */
  public static final String SEEN_ITEMS_STORE = "batch-seen-items";
  public static final String COUNT_ITEMS = "batch-count-items";
  public static final String USAGE_SOURCE = "batch-usage-source";
  public static final String BILLABLE_BATCH_USAGE = "batch-billable-usage-only";
  /** First usage per correlation id, as the accounting stream bills it ({@link FirstPerItem#usage}). */
  public static final String FIRST_USAGE = "batch-first-usage";
  /** Window store of the correlation ids whose usage was counted, like {@link #SEEN_ITEMS_STORE}. */
  public static final String BILLED_ITEMS_STORE = "batch-billed-items";
  public static final String USAGE_KEY_BY_BATCH = "batch-usage-key-by-batch";
  /** The repartition topic is {@code <app id>-batch-usage-by-batch-repartition}. */
  public static final String USAGE_BY_BATCH = "batch-usage-by-batch";
  public static final String MERGE_DELTAS = "batch-merge-deltas";
  /** The catalogue table; Streams names its source node {@code batch-models-source}. */
  public static final String MODELS_TABLE = "batch-models";
  public static final String MODELS_STORE = "batch-models-store";
  public static final String PRICE_ITEMS = "batch-price-items";
  public static final String GROUP_BY_BATCH = "batch-deltas-by-batch";
  public static final String SUM_PROGRESS = "batch-sum-progress";
  public static final String COUNTS_STORE = "batch-counts-store";
  /** The manifests table; Streams names its source node {@code batch-manifests-source}. */
  public static final String MANIFESTS_TABLE = "batch-manifests";
  public static final String MANIFESTS_STORE = "batch-manifests-store";
  public static final String JOIN_MANIFEST = "batch-join-manifest";
  public static final String PROGRESS_UPDATES = "batch-progress-updates";
  public static final String PROGRESS_SINK = "batch-progress-sink";

  private BatchProgressTopology() {}

  /** Builds the topology; pure, no I/O. */
  public static Topology build(final SerdeFactory serdes, final BatchConfig config) {
    Objects.requireNonNull(serdes, "serdes");
    Objects.requireNonNull(config, "config");
    final StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(windowStore(SEEN_ITEMS_STORE, config));
    builder.addStateStore(windowStore(BILLED_ITEMS_STORE, config));
    final Serde<ChatResponse> responseSerde = Topics.RESPONSES.valueSerde(serdes);
    final Serde<BatchProgress> progressSerde = Topics.BATCHES.valueSerde(serdes);
    final GlobalKTable<String, ModelSpec> models = TopicTables.global(
        builder, Topics.MODELS, Topics.MODELS.valueSerde(serdes), MODELS_TABLE, MODELS_STORE);

    final KStream<String, BatchProgress> answered =
        builder
            .stream(
                Topics.RESPONSES.name(),
                Consumed.with(Topics.RESPONSES.keySerde(), responseSerde).withName(RESPONSES_SOURCE))
            .filter((key, response) -> isBatchItem(response), Named.as(BATCH_ITEMS_ONLY))
            .selectKey((key, response) -> response.getBatchId(), Named.as(KEY_BY_BATCH))
            .repartition(
                Repartitioned.with(Serdes.String(), responseSerde)
                    .withName(ITEMS_BY_BATCH)
                    .withNumberOfPartitions(Topics.BATCH_MANIFESTS.partitions()))
            .processValues(
                () -> FirstPerItem.answers(SEEN_ITEMS_STORE, config.dedupRetention()),
                Named.as(DEDUPE_ITEMS),
                SEEN_ITEMS_STORE)
            .mapValues(BatchItemPricer::counts, Named.as(COUNT_ITEMS));

    final KTable<String, BatchProgress> counts =
        billedCosts(builder, serdes, config, models)
            .merge(answered, Named.as(MERGE_DELTAS))
            .groupByKey(Grouped.with(GROUP_BY_BATCH, Serdes.String(), progressSerde))
            .reduce(BatchItemPricer::sum, Named.as(SUM_PROGRESS),
                TopicTables.store(COUNTS_STORE, progressSerde));
    final KTable<String, BatchManifest> manifests = TopicTables.table(
        builder, Topics.BATCH_MANIFESTS, Topics.BATCH_MANIFESTS.valueSerde(serdes), MANIFESTS_TABLE,
        MANIFESTS_STORE);

    counts
        .outerJoin(manifests, BatchItemPricer::withManifest, Named.as(JOIN_MANIFEST))
        .toStream(Named.as(PROGRESS_UPDATES))
        .to(
            Topics.BATCHES.name(),
            Produced.with(Topics.BATCHES.keySerde(), progressSerde).withName(PROGRESS_SINK));
    return builder.build(config.streamsProperties());
  }

  /**
   * The cost of each batch item's first usage, keyed by batch id. Usage the accounting stream
   * dead-letters (no tenant, no model, unpriceable) is skipped here too, so it cannot be a first.
   */
  private static KStream<String, BatchProgress> billedCosts(
      final StreamsBuilder builder,
      final SerdeFactory serdes,
      final BatchConfig config,
      final GlobalKTable<String, ModelSpec> models) {
    final Serde<UsageEvent> usageSerde = Topics.USAGE.valueSerde(serdes);
    return builder
        .stream(
            Topics.USAGE.name(),
            Consumed.with(Topics.USAGE.keySerde(), usageSerde).withName(USAGE_SOURCE))
        .filter((key, usage) -> isBillableBatchUsage(usage), Named.as(BILLABLE_BATCH_USAGE))
        .processValues(
            () -> FirstPerItem.usage(BILLED_ITEMS_STORE, config.dedupRetention()), Named.as(FIRST_USAGE),
            BILLED_ITEMS_STORE)
        .leftJoin(models, (key, usage) -> usage.getModel(), BatchItemPricer::cost,
            Named.as(PRICE_ITEMS))
        .selectKey((key, cost) -> cost.getBatchId(), Named.as(USAGE_KEY_BY_BATCH))
        .repartition(
            Repartitioned.with(Serdes.String(), Topics.BATCHES.valueSerde(serdes))
                .withName(USAGE_BY_BATCH)
                .withNumberOfPartitions(Topics.BATCH_MANIFESTS.partitions()));
  }

  static boolean isBillableBatchUsage(final UsageEvent usage) {
    return usage != null
        && usage.getBatchId() != null && !usage.getBatchId().isBlank()
        && !usage.getTenant().isBlank() && !usage.getModel().isBlank()
        && CostCalculator.problem(usage.getUsage()).isEmpty();
  }

  static boolean isBatchItem(final ChatResponse response) {
    return response != null && response.getBatchId() != null && !response.getBatchId().isBlank();
  }

  private static StoreBuilder<WindowStore<String, Long>> windowStore(
      final String name, final BatchConfig config) {
    // Retention twice the window: an id is found from any record up to one window later.
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(
            name, config.dedupRetention().multipliedBy(2), config.dedupRetention(), false),
        Serdes.String(),
        Serdes.Long());
  }

}
