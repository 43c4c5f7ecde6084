package dev.tiergate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamTimelineTest {

  private static final String ROLE =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
  private static final String FINISH =
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  private static final String USAGE = "data: {\"choices\":[],\"usage\":{\"total_tokens\":9}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  @Test
  void timesFirstContentAndEveryGapFromTheIntendedSendTime() {
    final StreamTimeline timeline = new StreamTimeline(1_000);

    timeline.bytes(bytes(ROLE), 1_500);
    timeline.bytes(bytes(content("Simulated") + content(" reply")), 4_000);
    timeline.bytes(bytes(content(" from")), 4_700);
    timeline.bytes(bytes(FINISH + USAGE), 5_000);
    timeline.bytes(bytes(DONE), 6_000);

    assertThat(timeline.complete()).isTrue();
    assertThat(timeline.firstContentNanos()).isEqualTo(3_000);
    assertThat(timeline.contentEvents()).isEqualTo(3);
    assertThat(timeline.gapNanos()).containsExactly(0L, 700L);
    assertThat(timeline.doneNanos()).isEqualTo(5_000);
  }

  @Test
  void notesWhenTheFirstPieceOfTheBodyCameEvenWithoutContentInIt() {
    final StreamTimeline timeline = new StreamTimeline(1_000);

    timeline.bytes(bytes(ROLE), 1_500);
    timeline.bytes(bytes(content("Simulated")), 4_000);

    assertThat(timeline.intendedAt()).isEqualTo(1_000);
    assertThat(timeline.firstByteAt()).isEqualTo(1_500);
    assertThat(timeline.firstContentAt()).isEqualTo(4_000);
  }

  @Test
  void countsToolCallDeltasAsContent() {
    final StreamTimeline timeline = new StreamTimeline(0);

    timeline.bytes(bytes("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
        + "\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n" + DONE), 10);

    assertThat(timeline.contentEvents()).isEqualTo(1);
    assertThat(timeline.complete()).isTrue();
  }

  @Test
  void keepsEveryGapOfALongStream() {
    final StreamTimeline timeline = new StreamTimeline(0);
    for (int i = 0; i < 100; i++) {
      timeline.bytes(bytes(content("w" + i)), 10L * i);
    }
    timeline.bytes(bytes(DONE), 2_000);

    assertThat(timeline.gapNanos()).hasSize(99).containsOnly(10L);
  }

  @Test
  void isNotCompleteWithoutDoneWithoutContentOrAfterAnErrorEvent() {
    final StreamTimeline cutOff = new StreamTimeline(0);
    cutOff.bytes(bytes(ROLE + content("half")), 5);
    final StreamTimeline empty = new StreamTimeline(0);
    empty.bytes(bytes(ROLE + FINISH + DONE), 5);
    final StreamTimeline failed = new StreamTimeline(0);
    failed.bytes(bytes(content("a") + "data: {\"error\":{\"message\":\"upstream\"}}\n\n" + DONE), 5);

    assertThat(cutOff.problem()).contains("no [DONE]");
    assertThat(cutOff.doneNanos()).isEqualTo(-1);
    assertThat(empty.problem()).contains("no content event");
    assertThat(empty.firstContentNanos()).isEqualTo(-1);
    assertThat(failed.problem()).hasValueSatisfying(p -> assertThat(p).contains("upstream"));
  }

  @Test
  void isNotCompleteWhenAnEventFollowsDoneOrIsNotJson() {
    final StreamTimeline late = new StreamTimeline(0);
    late.bytes(bytes(content("a") + DONE + content("b")), 5);
    final StreamTimeline garbled = new StreamTimeline(0);
    garbled.bytes(bytes(content("a") + "data: {not json\n\n" + DONE), 5);

    assertThat(late.problem()).contains("an event after [DONE]");
    assertThat(garbled.problem())
        .hasValueSatisfying(p -> assertThat(p).startsWith("an event that is not JSON"));
  }

  static String content(final String text) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n";
  }

  static byte[] bytes(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
