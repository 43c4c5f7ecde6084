package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A global table's update step keeps the store and its in-memory view in step: the routes' rules
 * and models-by-tier index, the models' catalogue.
 */
class GlobalTableProcessorTest {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();

  private final RouteIndex index = new RouteIndex();
  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private TimestampedKeyValueStore<String, Route> store;

  @BeforeEach
  void createStore() {
    store = addStore(RouterTopology.ROUTES_STORE, Topics.ROUTES.valueSerde(SERDES));
  }

  private <V> TimestampedKeyValueStore<String, V> addStore(
      final String name, final Serde<V> values) {
    final TimestampedKeyValueStore<String, V> added = Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled()
        .build();
    added.init(context.getStateStoreContext(), added);
    context.addStateStore(added);
    return added;
  }

  @Test
  void indexIsRebuiltFromTheRestoredStoreOnStart() {
    store.put("frontier/*", ValueAndTimestamp.make(rule("frontier", "p/big", "p/mid"), 1L));
    store.put("small/*", ValueAndTimestamp.make(rule("small", "p/mid"), 1L));

    new GlobalTableProcessor<>(index, RouterTopology.ROUTES_STORE).init(context);

    assertThat(index.tiersServing("p/mid")).containsExactlyInAnyOrder("frontier", "small");
    assertThat(index.tiersServing("p/big")).containsExactly("frontier");
    assertThat(index.tiersServing("p/none")).isEmpty();
    assertThat(index.route("small/*").getModels()).containsExactly("p/mid");
  }

  @Test
  void recordsAndTombstonesUpdateStoreAndIndex() {
    final GlobalTableProcessor<Route> processor =
        new GlobalTableProcessor<>(index, RouterTopology.ROUTES_STORE);
    processor.init(context);

    processor.process(new Record<>("small/code", rule("small", "p/big"), 5L));
    final List<String> afterPut = List.copyOf(index.tiersServing("p/big"));
    processor.process(new Record<>("small/code", rule("balanced", "p/big"), 6L));
    final List<String> afterChange = List.copyOf(index.tiersServing("p/big"));
    final Route ruleAfterChange = index.route("small/code");
    processor.process(new Record<>("small/code", null, 7L));

    assertThat(afterPut).containsExactly("small");
    assertThat(afterChange).containsExactly("balanced");
    assertThat(ruleAfterChange.getTier()).isEqualTo("balanced");
    assertThat(index.tiersServing("p/big")).isEmpty();
    assertThat(index.route("small/code")).isNull();
    assertThat(store.get("small/code")).isNull();
  }

  @Test
  void catalogueIsRebuiltOnStartAndFollowsRecordsAndTombstones() {
    final TimestampedKeyValueStore<String, ModelSpec> models =
        addStore(RouterTopology.MODELS_STORE, Topics.MODELS.valueSerde(SERDES));
    models.put("p/big", ValueAndTimestamp.make(model("p/big", 200_000), 1L));
    final Catalogue catalogue = new Catalogue();
    final GlobalTableProcessor<ModelSpec> processor =
        new GlobalTableProcessor<>(catalogue, RouterTopology.MODELS_STORE);

    processor.init(context);
    final int restoredWindow = catalogue.model("p/big").getContextWindow();
    processor.process(new Record<>("p/big", model("p/big", 400_000), 5L));
    final int changedWindow = catalogue.model("p/big").getContextWindow();
    processor.process(new Record<>("p/big", null, 6L));

    assertThat(restoredWindow).isEqualTo(200_000);
    assertThat(changedWindow).isEqualTo(400_000);
    assertThat(catalogue.model("p/big")).isNull();
    assertThat(catalogue.isEmpty()).isTrue();
    assertThat(models.get("p/big")).isNull();
  }

  private static ModelSpec model(final String id, final int window) {
    return ModelSpec.newBuilder().setId(id).setProvider("p").setUpstreamModel("big")
        .setFamily("big").setInputMicrosPerMillion(1).setOutputMicrosPerMillion(1)
        .setContextWindow(window).setCapabilities(List.of()).build();
  }

  private static Route rule(final String tier, final String... models) {
    return Route.newBuilder().setTier(tier).setMode("*").setModels(List.of(models))
        .setParams(Map.of()).build();
  }
}
