package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchTallyTest {

  private static final Map<String, List<String>> TWO_JOBS =
      Map.of("batch_a", List.of("req-0", "req-1"), "batch_b", List.of("req-2"));

  @Test
  void isCompleteWhenEveryItemOfEveryBatchHasAResultAndNotesWhen() throws InterruptedException {
    final BatchTally tally = new BatchTally(TWO_JOBS);

    tally.record("batch_a", "req-0", true, 100);
    tally.record(null, null, true, 150);
    tally.record("batch_other", "req-1", true, 160);
    tally.record("batch_a", "req-1", true, 200);
    assertThat(tally.complete()).isFalse();
    assertThat(tally.awaitComplete(Duration.ZERO)).isFalse();
    tally.record("batch_b", "req-2", true, 300);

    assertThat(tally.awaitComplete(Duration.ZERO)).isTrue();
    assertThat(tally.counts()).isEqualTo(new BatchTally.Counts(3, 3, 3, 100, 300));
    assertThat(tally.problems()).isEmpty();
  }

  @Test
  void namesMissingRepeatedFailedAndStrayResults() {
    final BatchTally tally = new BatchTally(TWO_JOBS);

    tally.record("batch_a", "req-0", true, 1);
    tally.record("batch_a", "req-0", true, 2);
    tally.record("batch_b", "req-2", false, 3);
    tally.record("batch_b", "req-9", true, 4);

    assertThat(tally.complete()).isFalse();
    assertThat(tally.counts().records()).isEqualTo(4);
    assertThat(tally.problems()).containsExactly(
        "1 without a result (e.g. batch_a/req-1)",
        "1 with more than one result (e.g. batch_a/req-0)",
        "1 failed results (e.g. batch_b/req-2)",
        "1 results for items the batch does not have (e.g. batch_b/req-9)");
  }

  @Test
  void aRepeatAfterTheLastItemDoesNotMoveTheEnd() {
    final BatchTally tally = new BatchTally(Map.of("batch_a", List.of("req-0")));

    tally.record("batch_a", "req-0", true, 10);
    tally.record("batch_a", "req-0", true, 20);

    assertThat(tally.counts().completeNanos()).isEqualTo(10);
    assertThat(tally.problems()).containsExactly("1 with more than one result (e.g. batch_a/req-0)");
  }

  @Test
  void needsSomethingToExpect() {
    assertThatThrownBy(() -> new BatchTally(Map.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
