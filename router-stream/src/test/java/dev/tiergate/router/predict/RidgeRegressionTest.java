package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ridge regression's row weights, and the blend's weights by domain size. */
class RidgeRegressionTest {

  private static final float[][] ROWS = {{1, 0}, {0, 1}, {1, 1}, {0.5f, 0}};
  private static final double[] TARGETS = {1, 0, 0.5, 1};

  @Test
  void aRowOfWeightTwoCountsAsTheSameRowTwice() {
    final RidgeRegression weighted =
        RidgeRegression.fit(ROWS, TARGETS, new double[] {2, 1, 1, 1}, 0.1);
    // Five rows of weight 1 average the same as four of weights 2, 1, 1, 1 scaled to mean 1:
    // scale lambda by 5/4 so both solve the same normal equations.
    final RidgeRegression duplicated = RidgeRegression.fit(
        new float[][] {{1, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5f, 0}},
        new double[] {1, 1, 0, 0.5, 1}, 0.1 * 5 / 4);

    for (final float[] row : ROWS) {
      assertThat(weighted.predict(row)).isCloseTo(duplicated.predict(row), within(1e-5));
    }
  }

  @Test
  void equalWeightsAreTheUnweightedFit() {
    final RidgeRegression plain = RidgeRegression.fit(ROWS, TARGETS, 0.1);
    final RidgeRegression weighted =
        RidgeRegression.fit(ROWS, TARGETS, new double[] {3, 3, 3, 3}, 0.1);

    assertThat(weighted.weights()).containsExactly(plain.weights());
    assertThat(weighted.bias()).isEqualTo(plain.bias());
  }

  @Test
  void refusesNegativeOrAllZeroWeights() {
    assertThatThrownBy(() -> RidgeRegression.fit(ROWS, TARGETS, new double[] {1, -1, 1, 1}, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RidgeRegression.fit(ROWS, TARGETS, new double[4], 0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void domainWeightsGiveEachDomainTheSquareRootOfItsSize() {
    final List<LabeledPrompt> prompts = List.of(
        new LabeledPrompt("mmlu/law", "a", true, true),
        new LabeledPrompt("mmlu/law", "b", true, true),
        new LabeledPrompt("mmlu/law", "c", true, true),
        new LabeledPrompt("mmlu/law", "d", true, true),
        new LabeledPrompt("gsm8k", "e", true, true));

    final double[] weights = BlendedPredictor.domainWeights(prompts, 0.5);

    assertThat(weights).containsExactly(new double[] {0.5, 0.5, 0.5, 0.5, 1}, within(1e-12));
    assertThat(weights[0] + weights[1] + weights[2] + weights[3])
        .as("four prompts of one domain together weigh sqrt(4) = 2 against one of another")
        .isCloseTo(2 * weights[4], within(1e-12));
    assertThat(BlendedPredictor.domainWeights(prompts, 0)).containsOnly(1.0);
  }
}
