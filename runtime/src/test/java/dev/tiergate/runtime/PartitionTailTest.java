package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.runtime.PartitionTail.Start;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one reader of a topic's partitions, against a {@code MockConsumer}. */
class PartitionTailTest {

  private static final String TOPIC = "tiergate.test";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final PacedMockConsumer<String> consumer = new PacedMockConsumer<>(TOPIC, 2);
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private PartitionTail<String> tail;

  @AfterEach
  void close() {
    if (tail != null) {
      tail.close();
    }
  }

  private PartitionTail.Builder<String> tailFrom(final Start start) {
    return PartitionTail.builder(consumer, TOPIC, start)
        .onRecord(record -> seen.add(record.partition() + "@" + record.offset() + "=" + record.value()));
  }

  @Test
  void readsEveryPartitionFromTheBeginningAndIsCaughtUpAtTheEndsItFoundAtStart() throws Exception {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 2L, P1, 1L));
    tail = tailFrom(Start.beginning()).build();
    tail.start();

    assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "a", "one"));
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "b", "two"));
    await().atMost(WAIT).until(() -> seen.size() == 2);
    assertThat(tail.isCaughtUp()).as("partition 0 holds one more record").isFalse();

    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "a", "three"));
    assertThat(tail.awaitCaughtUp(WAIT)).isTrue();
    assertThat(seen).containsExactlyInAnyOrder("0@0=one", "1@0=two", "0@1=three");
    assertThat(seen.indexOf("0@0=one")).isLessThan(seen.indexOf("0@1=three"));
    assertThat(tail.isAlive()).isTrue();
  }

  @Test
  void anEmptyTopicIsCaughtUpAtOnce() throws Exception {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    tail = tailFrom(Start.beginning()).build();
    tail.start();

    assertThat(tail.awaitCaughtUp(WAIT)).isTrue();
  }

  @Test
  void fromTheEndReadsOnlyWhatIsProducedAfterStartReturns() {
    consumer.updateEndOffsets(Map.of(P0, 5L, P1, 7L));
    tail = tailFrom(Start.end()).build();
    tail.start();

    // The end offsets are resolved before start returns (MockConsumer is synchronized).
    assertThat(consumer.position(P0)).isEqualTo(5L);
    assertThat(consumer.position(P1)).isEqualTo(7L);
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 4, "old", "before"));
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 5, "new", "after"));
    await().atMost(WAIT).until(() -> seen.contains("0@5=after"));
    assertThat(seen).containsExactly("0@5=after");
  }

  @Test
  void fromAPointInTimeSeeksToTheFirstOffsetAtItOrToTheEnd() throws Exception {
    final Instant now = Instant.parse("2026-01-02T03:04:05Z");
    final Map<TopicPartition, Long> asked = new HashMap<>();
    final PacedMockConsumer<String> timed = new PacedMockConsumer<>(TOPIC, 2) {
      @Override
      public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
          final Map<TopicPartition, Long> timestamps) {
        asked.putAll(timestamps);
        // Partition 0 has a record that recent; partition 1 none.
        return new HashMap<>(Map.of(P0, new OffsetAndTimestamp(3L, timestamps.get(P0))));
      }
    };
    timed.updateEndOffsets(Map.of(P0, 4L, P1, 9L));
    tail = PartitionTail.builder(timed, TOPIC,
            Start.lookingBack(Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(1)))
        .onRecord(record -> seen.add(record.value()))
        .build();
    tail.start();

    final long minuteAgo = now.minusSeconds(60).toEpochMilli();
    assertThat(asked).isEqualTo(Map.of(P0, minuteAgo, P1, minuteAgo));
    assertThat(timed.position(P0)).isEqualTo(3L);
    assertThat(timed.position(P1)).isEqualTo(9L);
    timed.addRecord(new ConsumerRecord<>(TOPIC, 0, 3, "k", "recent"));
    assertThat(tail.awaitCaughtUp(WAIT)).isTrue();
    assertThat(seen).containsExactly("recent");
  }

  @Test
  void handsAnUndecodableRecordToItsCallbackAndReadsOnPastIt() {
    final List<RecordDeserializationException> undecodable = new CopyOnWriteArrayList<>();
    tail = tailFrom(Start.end()).onUndecodable(undecodable::add).build();
    tail.start();

    consumer.setPollException(undecodable(P0, 0));
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "k", "good"));
    await().atMost(WAIT).until(() -> seen.contains("0@1=good"));
    assertThat(undecodable).singleElement()
        .satisfies(failure -> assertThat(failure.offset()).isZero());
    assertThat(tail.isAlive()).isTrue();
  }

  @Test
  void skipsAnUndecodableRecordByDefault() {
    tail = tailFrom(Start.end()).build();
    tail.start();

    consumer.setPollException(undecodable(P1, 0));
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 1, "k", "good"));
    await().atMost(WAIT).until(() -> seen.contains("1@1=good"));
    assertThat(tail.isAlive()).isTrue();
  }

  @Test
  void aFailingCallbackStopsTheReaderAndClosesItsConsumer() {
    tail = PartitionTail.builder(consumer, TOPIC, Start.end())
        .onRecord(record -> {
          throw new IllegalStateException("callback bug");
        })
        .build();
    tail.start();

    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "v"));
    await().atMost(WAIT).until(() -> !tail.isAlive());
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void refusesToStartOnATopicWithNoPartitionsAndStillClosesItsConsumer() {
    final MockConsumer<String, String> missing = new MockConsumer<>("latest");
    tail = PartitionTail.builder(missing, "tiergate.missing", Start.end())
        .onRecord(record -> { })
        .build();

    assertThatThrownBy(tail::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tiergate.missing");
    tail.close();
    assertThat(missing.closed()).isTrue();
  }

  @Test
  void startedInTheBackgroundAFailedSetUpStopsTheReaderInsteadOfTheCaller() {
    final MockConsumer<String, String> missing = new MockConsumer<>("latest");
    tail = PartitionTail.builder(missing, "tiergate.missing", Start.beginning())
        .onRecord(record -> { })
        .build();

    tail.startInBackground();
    await().atMost(WAIT).until(() -> missing.closed());
    assertThat(tail.isAlive()).isFalse();
    assertThat(tail.isCaughtUp()).isFalse();
  }

  @Test
  void aTailNotingPositionsSaysWhatItHasRead() {
    consumer.updateEndOffsets(Map.of(P0, 0L, P1, 3L));
    tail = tailFrom(Start.end()).notingPositions().build();
    tail.start();

    await().atMost(WAIT).until(() -> tail.hasRead(Map.of(P1, 3L)));
    assertThat(tail.hasRead(Map.of(P0, 1L))).isFalse();
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "v"));
    await().atMost(WAIT).until(() -> tail.hasRead(Map.of(P0, 1L, P1, 3L)));
  }

  @Test
  void aCaughtUpTailWaitsLongInEachPollYetReadsARecordAtOnceAndClosesAtOnce() {
    final List<Duration> timeouts = new CopyOnWriteArrayList<>();
    final PacedMockConsumer<String> recording = recordingPolls(timeouts);
    recording.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    recording.updateEndOffsets(Map.of(P0, 1L, P1, 0L));
    final Duration catchingUp = Duration.ofMillis(20);
    tail = PartitionTail.builder(recording, TOPIC, Start.beginning()).pollTimeout(catchingUp)
        .onRecord(record -> seen.add(record.value())).build();
    tail.start();

    await().atMost(WAIT).until(() -> timeouts.size() >= 3);
    assertThat(tail.isCaughtUp()).as("partition 0 holds a record not read yet").isFalse();
    assertThat(timeouts).as("catching up").containsOnly(catchingUp);

    recording.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "k", "at start"));
    await().atMost(WAIT).until(() -> timeouts.contains(PartitionTail.CAUGHT_UP_POLL_TIMEOUT));
    recording.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "k", "later"));
    await().alias("a record ends the long poll").atMost(Duration.ofSeconds(2))
        .until(() -> seen.contains("later"));

    final long closing = System.nanoTime();
    tail.close();
    assertThat(tail.isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("close woke the long poll")
        .isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aTailNotingPositionsKeepsItsOwnPollTimeout() {
    final List<Duration> timeouts = new CopyOnWriteArrayList<>();
    final PacedMockConsumer<String> recording = recordingPolls(timeouts);
    tail = PartitionTail.builder(recording, TOPIC, Start.end()).pollTimeout(Duration.ofMillis(20))
        .notingPositions().onRecord(record -> seen.add(record.value())).build();
    tail.start();

    await().atMost(WAIT).until(() -> timeouts.size() >= 3);
    assertThat(tail.isCaughtUp()).isTrue();
    assertThat(timeouts).containsOnly(Duration.ofMillis(20));
  }

  /** A consumer that notes the timeout of every poll. */
  private static PacedMockConsumer<String> recordingPolls(final List<Duration> timeouts) {
    return new PacedMockConsumer<>(TOPIC, 2) {
      @Override
      public ConsumerRecords<String, String> poll(final Duration timeout) {
        timeouts.add(timeout);
        return super.poll(timeout);
      }
    };
  }

  @Test
  void closeStopsTheReaderAndClosesTheConsumerOnce() {
    tail = tailFrom(Start.end()).build();
    tail.start();

    tail.close();
    tail.close();
    assertThat(tail.isAlive()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void readToEndReadsEveryPartitionUpToItsEndAtStartOnTheCallingThread() {
    final MockConsumer<String, String> once = new MockConsumer<>("earliest");
    once.updatePartitions(TOPIC, consumer.partitionsFor(TOPIC));
    once.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    once.updateEndOffsets(Map.of(P0, 2L, P1, 1L));
    once.schedulePollTask(() -> {
      once.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "a", "one"));
      once.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "a", null));
      once.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "b", "two"));
    });
    final List<String> read = new CopyOnWriteArrayList<>();

    PartitionTail.readToEnd(once, TOPIC, WAIT, record -> read.add(record.key() + "=" + record.value()));

    assertThat(read).containsExactlyInAnyOrder("a=one", "a=null", "b=two");
    assertThat(once.closed()).as("the caller owns the consumer").isFalse();
  }

  @Test
  void readToEndGivesUpAfterItsTimeout() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 1L, P1, 0L));

    assertThatThrownBy(() ->
            PartitionTail.readToEnd(consumer, TOPIC, Duration.ofMillis(300), record -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timed out reading " + TOPIC);
  }

  @Test
  void readToEndOfATopicWithNoPartitionsReadsNothing() {
    final MockConsumer<String, String> missing = new MockConsumer<>("earliest");

    PartitionTail.readToEnd(missing, "tiergate.missing", record -> seen.add(record.value()));

    assertThat(seen).isEmpty();
  }

  private static RecordDeserializationException undecodable(
      final TopicPartition partition, final long offset) {
    return new RecordDeserializationException(
        RecordDeserializationException.DeserializationExceptionOrigin.VALUE, partition, offset,
        0L, TimestampType.CREATE_TIME, ByteBuffer.wrap(new byte[] {1}),
        ByteBuffer.wrap(new byte[] {2}), new RecordHeaders(), "Error deserializing VALUE",
        new SerializationException("Unknown magic byte!"));
  }
}
