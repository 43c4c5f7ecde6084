package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routes table's update step keeps the store and the models-by-tier index in step. */
class RoutesTableProcessorTest {

  private final RouteIndex index = new RouteIndex();
  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private TimestampedKeyValueStore<String, Route> store;

  @BeforeEach
  void createStore() {
    store = Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(RouterTopology.ROUTES_STORE), Serdes.String(),
            Topics.ROUTES.valueSerde(SerdeFactory.schemaless()))
        .withLoggingDisabled()
        .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  @Test
  void indexIsRebuiltFromTheRestoredStoreOnStart() {
    store.put("frontier/*", ValueAndTimestamp.make(rule("frontier", "p/big", "p/mid"), 1L));
    store.put("small/*", ValueAndTimestamp.make(rule("small", "p/mid"), 1L));

    new RoutesTableProcessor(index, RouterTopology.ROUTES_STORE).init(context);

    assertThat(index.tiersServing("p/mid")).containsExactlyInAnyOrder("frontier", "small");
    assertThat(index.tiersServing("p/big")).containsExactly("frontier");
    assertThat(index.tiersServing("p/none")).isEmpty();
  }

  @Test
  void recordsAndTombstonesUpdateStoreAndIndex() {
    final RoutesTableProcessor processor = new RoutesTableProcessor(index, RouterTopology.ROUTES_STORE);
    processor.init(context);

    processor.process(new Record<>("small/code", rule("small", "p/big"), 5L));
    final List<String> afterPut = List.copyOf(index.tiersServing("p/big"));
    processor.process(new Record<>("small/code", rule("balanced", "p/big"), 6L));
    final List<String> afterChange = List.copyOf(index.tiersServing("p/big"));
    processor.process(new Record<>("small/code", null, 7L));

    assertThat(afterPut).containsExactly("small");
    assertThat(afterChange).containsExactly("balanced");
    assertThat(index.tiersServing("p/big")).isEmpty();
    assertThat(store.get("small/code")).isNull();
  }

  private static Route rule(final String tier, final String... models) {
    return Route.newBuilder().setTier(tier).setMode("*").setModels(List.of(models))
        .setParams(Map.of()).build();
  }
}
