package dev.tiergate.accounting.batch;

import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The batch-progress stream: answers to batch items on the responses topic are re-keyed by batch id,
 * de-duplicated by correlation id (a redelivered answer counts once), priced against the model
 * catalogue with the accounting {@code CostCalculator}, summed per batch and joined with the batch's
 * manifest (its total) into {@code BatchProgress} on the compacted batches topic. Every step is named
 * so stores, changelogs and the repartition topic keep their names across upgrades.
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
    builder.addStateStore(seenItemsStore(config));
    final Serde<ChatResponse> responseSerde = Topics.RESPONSES.valueSerde(serdes);
    final Serde<BatchProgress> progressSerde = Topics.BATCHES.valueSerde(serdes);
    final GlobalKTable<String, ModelSpec> models = models(builder, serdes);

    final KTable<String, BatchProgress> counts =
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
                () -> new FirstAnswerFilter(config.dedupRetention()),
                Named.as(DEDUPE_ITEMS),
                SEEN_ITEMS_STORE)
            .leftJoin(models, (batchId, response) -> modelKey(response), BatchItemPricer::delta,
                Named.as(PRICE_ITEMS))
            .groupByKey(Grouped.with(GROUP_BY_BATCH, Serdes.String(), progressSerde))
            .reduce(BatchItemPricer::sum, Named.as(SUM_PROGRESS), store(COUNTS_STORE, progressSerde));

    counts
        .outerJoin(manifests(builder, serdes), BatchItemPricer::withManifest, Named.as(JOIN_MANIFEST))
        .toStream(Named.as(PROGRESS_UPDATES))
        .to(
            Topics.BATCHES.name(),
            Produced.with(Topics.BATCHES.keySerde(), progressSerde).withName(PROGRESS_SINK));
    return builder.build(config.streamsProperties());
  }

  static boolean isBatchItem(final ChatResponse response) {
    return response != null && response.getBatchId() != null && !response.getBatchId().isBlank();
  }

  /** A failed answer names no model; the empty key finds no price and the item costs nothing. */
  private static String modelKey(final ChatResponse response) {
    return response.getModel() == null ? "" : response.getModel();
  }

  private static GlobalKTable<String, ModelSpec> models(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    final Serde<ModelSpec> modelSerde = Topics.MODELS.valueSerde(serdes);
    return builder.globalTable(
        Topics.MODELS.name(),
        Consumed.with(Topics.MODELS.keySerde(), modelSerde).withName(MODELS_TABLE),
        store(MODELS_STORE, modelSerde));
  }

  private static KTable<String, BatchManifest> manifests(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    final Serde<BatchManifest> manifestSerde = Topics.BATCH_MANIFESTS.valueSerde(serdes);
    return builder.table(
        Topics.BATCH_MANIFESTS.name(),
        Consumed.with(Topics.BATCH_MANIFESTS.keySerde(), manifestSerde).withName(MANIFESTS_TABLE),
        store(MANIFESTS_STORE, manifestSerde));
  }

  private static StoreBuilder<WindowStore<String, Long>> seenItemsStore(final BatchConfig config) {
    // Retention twice the window: an id is found from any record up to one window later.
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(
            SEEN_ITEMS_STORE, config.dedupRetention().multipliedBy(2), config.dedupRetention(),
            false),
        Serdes.String(),
        Serdes.Long());
  }

  private static <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> store(
      final String name, final Serde<V> valueSerde) {
    return Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(name)
        .withKeySerde(Serdes.String())
        .withValueSerde(valueSerde);
  }
}
