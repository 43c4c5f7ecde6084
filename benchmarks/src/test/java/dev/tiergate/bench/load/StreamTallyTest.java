package dev.tiergate.bench.load;

import static dev.tiergate.bench.load.StreamTimelineTest.bytes;
import static dev.tiergate.bench.load.StreamTimelineTest.content;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class StreamTallyTest {

  @Test
  void recordsFirstContentEveryGapAndTheLengthOfCompleteStreamsOnly() {
    final StreamTally tally = new StreamTally(4);

    tally.record(200, null, stream(1_000_000, 1_500_000, 2_000_000));
    tally.record(200, null, stream(1_800_000, 2_000_000));
    tally.record(502, null, stream(1_000_000));
    tally.record(null, new TimeoutException("read timed out"), new StreamTimeline(0));
    tally.drain(Duration.ZERO);
    final StreamResult result = tally.result("direct", 10, 4, 2_000_000_000L);

    assertThat(result.run().ok()).isEqualTo(2);
    assertThat(result.run().failed()).isEqualTo(2);
    assertThat(result.firstContentMicros().getTotalCount()).isEqualTo(2);
    assertThat(result.firstContentMicros().getMinValue()).isEqualTo(1_000);
    assertThat(result.firstContentMicros().getMaxValue()).isEqualTo(1_800);
    assertThat(result.gapMicros().getTotalCount()).isEqualTo(3);
    assertThat(result.gapMicros().getMinValue()).isEqualTo(200);
    assertThat(result.gapMicros().getMaxValue()).isEqualTo(500);
    assertThat(result.streamMicros().getTotalCount()).isEqualTo(2);
    assertThat(result.eventsPerStream()).isEqualTo(2.5);
    assertThat(result.run().achievedRate()).isEqualTo(2.0);
    assertThat(result.run().clean()).isFalse();
  }

  @Test
  void countsAStreamWithoutDoneAsFailedAndTheUnfinishedAsFailedAfterTheDrain() {
    final StreamTally tally = new StreamTally(3);
    final StreamTimeline cutOff = new StreamTimeline(0);
    cutOff.bytes(bytes(content("half")), 10);

    tally.record(200, null, cutOff);
    tally.record(200, null, stream(1_000));
    tally.drain(Duration.ZERO);
    final StreamResult result = tally.result("tiergate", 3, 3, 1_000_000_000L);

    assertThat(result.run().ok()).isEqualTo(1);
    assertThat(result.run().failed()).isEqualTo(2);
    assertThat(result.gapMicros().getTotalCount()).isZero();
  }

  @Test
  void isCleanWhenEveryStreamCompletedAtTheAskedRate() {
    final StreamTally tally = new StreamTally(2);
    tally.record(200, null, stream(1_000));
    tally.record(200, null, stream(1_000));
    tally.drain(Duration.ZERO);

    final StreamResult result =
        tally.result("portkey", 2, 2, 1_000_000_000L);

    assertThat(result.run().clean()).isTrue();
  }

  /** A complete stream sent at 0 whose content events arrive at the given times, then [DONE]. */
  private static StreamTimeline stream(final long... contentNanos) {
    final StreamTimeline timeline = new StreamTimeline(0);
    for (final long at : contentNanos) {
      timeline.bytes(bytes(content("w")), at);
    }
    timeline.bytes(bytes("data: [DONE]\n\n"), contentNanos[contentNanos.length - 1] + 1_000);
    return timeline;
  }
}
