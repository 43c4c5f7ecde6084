package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingEvaluationTest {

  /** 10 prompts: 4 where only the strong model is right, 6 where both are. */
  private static final List<LabeledPrompt> PROMPTS = prompts();

  @Test
  void constantScoreIsExactlyRandomRouting() {
    final RoutingEvaluation random = RoutingEvaluation.of(PROMPTS, new double[10]);

    assertThat(random.apgr()).isCloseTo(0.5, within(1e-9));
    assertThat(random.cpt50()).isEqualTo(0.5);
    assertThat(random.count()).isEqualTo(10);
  }

  @Test
  void scoringTheStrongOnlyPromptsFirstRecoversTheGapEarly() {
    final double[] oracle = new double[10];
    for (int i = 0; i < 4; i++) {
      oracle[i] = 1.0;
    }
    final double[] reversed = new double[10];
    for (int i = 4; i < 10; i++) {
      reversed[i] = 1.0;
    }

    final RoutingEvaluation best = RoutingEvaluation.of(PROMPTS, oracle);
    final RoutingEvaluation worst = RoutingEvaluation.of(PROMPTS, reversed);

    // PGR climbs 0.25 per strong call to 1.0 at 40%, then stays: area 0.4*0.5 + 0.6 = 0.8.
    assertThat(best.apgr()).isCloseTo(0.8, within(1e-9));
    assertThat(best.cpt50()).isEqualTo(0.2);
    assertThat(best.cpt80()).isEqualTo(0.4);
    assertThat(worst.apgr()).isLessThan(0.5);
    assertThat(best.summaryLine()).isEqualTo("APGR=0.800 CPT50=20.0% CPT80=40.0% n=10");
  }

  private static List<LabeledPrompt> prompts() {
    final List<LabeledPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      prompts.add(new LabeledPrompt("mmlu/x", "p" + i, i >= 4, true));
    }
    return prompts;
  }
}
