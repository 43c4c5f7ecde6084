package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A compacted topic held as a live table. */
class LiveTableTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TOPIC = "tiergate.table";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  private final PacedMockConsumer<String> consumer = new PacedMockConsumer<>(TOPIC, 1);
  private final LiveTable<String> table = new LiveTable<>(consumer, TOPIC);

  @AfterEach
  void close() {
    table.close();
  }

  @Test
  void readsRowsFromTheBeginningAndFollowsUpdatesAndTombstones() {
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    table.start();

    consumer.feed("a", "one");
    await().atMost(WAIT).until(() -> table.get("a").isPresent());
    assertThat(table.get("a")).contains("one");

    consumer.feed("a", "two");
    consumer.feed("b", "three");
    await().atMost(WAIT).until(() -> table.snapshot().equals(Map.of("a", "two", "b", "three")));

    consumer.feed("a", null);
    await().atMost(WAIT).until(() -> table.get("a").isEmpty());
    assertThat(table.snapshot()).isEqualTo(Map.of("b", "three"));
    assertThat(table.isAlive()).isTrue();
  }

  @Test
  void isCaughtUpOnlyOnceTheRowsPresentAtStartAreRead() throws InterruptedException {
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.updateEndOffsets(Map.of(PARTITION, 2L));
    table.start();

    consumer.feed("a", "one");
    await().atMost(WAIT).until(() -> !table.isEmpty());
    assertThat(table.isCaughtUp()).isFalse();
    assertThat(table.awaitCaughtUp(Duration.ofMillis(300))).isFalse();

    consumer.feed("a", "two");
    assertThat(table.awaitCaughtUp(WAIT)).isTrue();
  }

  @Test
  void anEmptyTopicIsCaughtUpAtOnceAndAFixedTableAlways() throws InterruptedException {
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    table.start();

    assertThat(table.awaitCaughtUp(WAIT)).isTrue();
    assertThat(LiveTable.fixed("t", Map.of()).isCaughtUp()).isTrue();
  }

  @Test
  void aFixedTableHoldsItsRowsAndIsAliveUntilClosed() {
    final LiveTable<String> fixed = LiveTable.fixed("t", Map.of("k", "v"));
    fixed.start();

    assertThat(fixed.get("k")).contains("v");
    assertThat(fixed.isAlive()).isTrue();
    fixed.close();
    assertThat(fixed.isAlive()).isFalse();
  }

  @Test
  void closingStopsTheReaderAndClosesTheConsumer() {
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    table.start();

    table.close();
    assertThat(table.isAlive()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void applyKeepsTheLatestValuePerKeyAndSkipsRecordsWithoutAKey() {
    final Map<String, String> rows = new HashMap<>();

    LiveTable.apply(rows, new ConsumerRecord<>(TOPIC, 0, 0, "a", "one"));
    LiveTable.apply(rows, new ConsumerRecord<>(TOPIC, 0, 1, "b", "two"));
    LiveTable.apply(rows, new ConsumerRecord<>(TOPIC, 0, 2, "a", "three"));
    LiveTable.apply(rows, new ConsumerRecord<>(TOPIC, 0, 3, "b", null));
    LiveTable.apply(rows, new ConsumerRecord<>(TOPIC, 0, 4, null, "no key"));

    assertThat(rows).isEqualTo(Map.of("a", "three"));
  }
}
