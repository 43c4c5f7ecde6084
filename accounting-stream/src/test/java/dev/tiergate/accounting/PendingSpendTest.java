package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pre-sum's pending state: one record per usage, rebuilt exactly from the store. */
class PendingSpendTest {

  private static final long NOON = 1_748_779_200_000L;

  private KeyValueStore<String, byte[]> store;

  @BeforeEach
  void openStore() {
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pending"), Serdes.String(),
        Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @Test
  void writesOneRecordPerUsageAndOnePerForward() {
    final PendingSpend pending = new PendingSpend(store);
    pending.add(usage("plan", "gpt-5", "sess|1", 100, NOON));
    pending.add(usage("plan", "gpt-5", "sess|2", 20, NOON + 1));
    assertThat(keys()).containsExactly("#0", "#1");

    assertThat(pending.drain()).hasSize(4);
    pending.add(usage("code", "gpt-5", "sess|3", 3, NOON + 2));

    assertThat(keys()).containsExactly("#0", "#1", PendingSpend.GENERATION_KEY);
    assertThat(pending.drain()).extracting(SpendDelta::value)
        .containsExactlyInAnyOrder("code", "gpt-5", "sess|3");
    assertThat(pending.drain()).isEmpty();
  }

  @Test
  void rebuildsTheSumsOfTheCurrentGenerationFromTheStore() {
    final PendingSpend before = new PendingSpend(store);
    before.add(usage("plan", "gpt-5", "sess_1", 100, NOON));
    before.drain();
    before.add(usage("plan", "gpt-5", "sess_1", 20, NOON + 5));
    before.add(usage("plan", "mini", "sess_2", 3, NOON + 3_600_000));

    final PendingSpend restored = new PendingSpend(store);

    assertThat(restored.usages()).isEqualTo(2);
    final List<SpendDelta> sums = restored.drain();
    assertThat(sums).extracting(sum -> sum.dimension().label() + "=" + sum.value() + ":"
            + sum.costMicros() + "@" + sum.timestamp())
        .containsExactly("model=gpt-5:20@" + (NOON + 5), "mode=plan:20@" + (NOON + 5),
            "session=sess_1:20@" + (NOON + 5), "model=mini:3@" + (NOON + 3_600_000),
            "mode=plan:3@" + (NOON + 3_600_000), "session=sess_2:3@" + (NOON + 3_600_000));
    restored.add(usage("plan", "gpt-5", "sess_1", 7, NOON + 6));
    assertThat(new PendingSpend(store).drain()).extracting(SpendDelta::costMicros)
        .containsOnly(7L);
  }

  @Test
  void forwardsAndDeletesPendingSumsOfTheFormerFormat() {
    final SpendDelta old = new SpendDelta("t", SpendDimension.MODE, "plan", NOON, 1, 2, 3, 4, 5,
        6, 7, 8, 9, 10, 11);
    final String oldKey = old.storeKey() + "|" + NOON / 3_600_000;
    store.put(oldKey, SpendDeltaSerde.write(old));

    final PendingSpend pending = new PendingSpend(store);
    pending.add(usage("plan", "gpt-5", "sess_1", 100, NOON + 1));

    final SpendDelta plan = pending.drain().stream()
        .filter(sum -> sum.dimension() == SpendDimension.MODE).findFirst().orElseThrow();
    assertThat(plan.costMicros()).isEqualTo(106);
    assertThat(plan.requests()).isEqualTo(2);
    assertThat(plan.timestamp()).isEqualTo(NOON + 1);
    assertThat(store.get(oldKey)).isNull();
  }

  private static List<SpendDelta> usage(
      final String mode, final String model, final String session, final long cost,
      final long timestamp) {
    return List.of(
        new SpendDelta("t", SpendDimension.MODE, mode, timestamp, 1, 10, 5, 0, 0, cost, cost, 0,
            0, 0, 0),
        new SpendDelta("t", SpendDimension.MODEL, model, timestamp, 1, 10, 5, 0, 0, cost, cost, 0,
            0, 0, 0),
        new SpendDelta("t", SpendDimension.SESSION, session, timestamp, 1, 10, 5, 0, 0, cost,
            cost, 0, 0, 0, 0));
  }

  private List<String> keys() {
    final List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      all.forEachRemaining(entry -> keys.add(entry.key));
    }
    return keys;
  }
}
