package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerTimesTest {

  @Test
  void keepsAnswersOnlyWhileOn() {
    final AnswerTimes answers = new AnswerTimes();

    answers.answered("req_warmup", 100);
    answers.on();
    answers.answered("req_measured", 200);
    answers.off();
    answers.answered("req_after", 300);

    assertThat(answers.answeredAt("req_warmup")).isEmpty();
    assertThat(answers.answeredAt("req_measured")).contains(200L);
    assertThat(answers.answeredAt("req_after")).isEmpty();
  }

  @Test
  void ignoresAnswersWithoutARequestId() {
    final AnswerTimes answers = new AnswerTimes();
    answers.on();

    answers.answered(null, 100);

    assertThat(answers.answeredAt("req_any")).isEmpty();
  }
}
