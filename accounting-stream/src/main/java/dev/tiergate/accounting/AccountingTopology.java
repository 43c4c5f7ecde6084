package dev.tiergate.accounting;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
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
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The accounting stream: usage is decoded (bad records to the dead-letter topic), priced against
 * the model catalogue, fanned out into one delta per tenant × dimension × window, and summed into a
 * queryable store whose updates are published to the spend topic. Every step is named so the store,
 * changelog and repartition topic keep their names across upgrades.
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
  public static final String PRICE_USAGE = "price-usage";
  public static final String SPEND_DELTAS = "spend-deltas";
  public static final String SPEND_BY_KEY = "spend-by-key";
  public static final String SUM_SPEND = "sum-spend";
  /** The queryable store of every aggregate, keyed by {@link SpendKey#encode()}. */
  public static final String SPEND_STORE = "spend-store";
  public static final String SPEND_UPDATES = "spend-updates";
  public static final String SPEND_SINK = "spend-sink";

  private AccountingTopology() {}

  /** Builds the topology; pure, no I/O. */
  public static Topology build(final SerdeFactory serdes, final AccountingConfig config) {
    Objects.requireNonNull(serdes, "serdes");
    Objects.requireNonNull(config, "config");
    final StreamsBuilder builder = new StreamsBuilder();
    final GlobalKTable<String, ModelSpec> models = models(builder, serdes);
    final Map<String, KStream<String, DecodedUsage>> branches = decodedUsage(builder, serdes);

    branches
        .get(SPLIT_USAGE + INVALID_BRANCH)
        .mapValues(DecodedUsage::raw, Named.as(DEAD_LETTER_VALUE))
        .to(
            Topics.USAGE_DLQ.name(),
            Produced.with(Topics.USAGE_DLQ.keySerde(), Topics.USAGE_DLQ.valueSerde(serdes))
                .withName(DEAD_LETTER_SINK));

    final Serde<SpendAggregate> spendSerde = Topics.SPEND.valueSerde(serdes);
    branches
        .get(SPLIT_USAGE + VALID_BRANCH)
        .mapValues(DecodedUsage::usage, Named.as(VALID_USAGE))
        .leftJoin(models, (key, usage) -> usage.getModel(), new UsagePricer(), Named.as(PRICE_USAGE))
        .flatMap((key, priced) -> SpendAggregates.deltas(priced), Named.as(SPEND_DELTAS))
        .groupByKey(Grouped.with(SPEND_BY_KEY, Serdes.String(), spendSerde))
        .reduce(SpendAggregates::sum, Named.as(SUM_SPEND), spendStore(spendSerde))
        .toStream(Named.as(SPEND_UPDATES))
        .to(
            Topics.SPEND.name(),
            Produced.with(Topics.SPEND.keySerde(), spendSerde).withName(SPEND_SINK));

    return builder.build(config.streamsProperties());
  }

  private static GlobalKTable<String, ModelSpec> models(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    final Serde<ModelSpec> modelSerde = Topics.MODELS.valueSerde(serdes);
    return builder.globalTable(
        Topics.MODELS.name(),
        Consumed.with(Topics.MODELS.keySerde(), modelSerde).withName(MODELS_TABLE),
        Materialized.<String, ModelSpec, KeyValueStore<Bytes, byte[]>>as(MODELS_STORE)
            .withKeySerde(Topics.MODELS.keySerde())
            .withValueSerde(modelSerde));
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

  private static Materialized<String, SpendAggregate, KeyValueStore<Bytes, byte[]>> spendStore(
      final Serde<SpendAggregate> spendSerde) {
    return Materialized.<String, SpendAggregate, KeyValueStore<Bytes, byte[]>>as(SPEND_STORE)
        .withKeySerde(Serdes.String())
        .withValueSerde(spendSerde);
  }
}
