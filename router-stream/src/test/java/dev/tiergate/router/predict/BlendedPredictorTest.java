package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The blend without the ONNX model: a fake two-number "embedding" that says how hard a prompt
 * is, so calibration, the knob and the file format can be checked exactly.
 */
class BlendedPredictorTest {

  /** "hard" prompts embed near (1, 0), easy ones near (0, 1). */
  private static final Function<String, float[]> EMBED = text -> text.contains("hard")
      ? new float[] {1, 0} : new float[] {0, 1};

  @Test
  void scoresArePercentilesOfTheTrainingPrompts() {
    final BlendedPredictor model = trained();

    final double hard = model.score("a hard question about rings");
    final double easy = model.score("an easy question about cats");

    assertThat(hard).isGreaterThan(easy);
    assertThat(hard).isBetween(0.0, 1.0);
    assertThat(easy).isBetween(0.0, 1.0);
  }

  @Test
  void theStrongShareKnobMovesTheFrontierThreshold() {
    final BlendedPredictor model = trained();

    assertThat(model.tierFor(0.75)).isEqualTo("frontier");
    assertThat(model.tierFor(0.75, 0.3)).isEqualTo("frontier");
    assertThat(model.tierFor(0.75, 0.1)).isEqualTo("balanced");
    assertThat(model.tierFor(0.95, 0.1)).isEqualTo("frontier");
    assertThat(model.tierFor(1.0, 0.0)).as("a share of 0 never routes to frontier")
        .isEqualTo("balanced");
    assertThat(model.tierFor(0.25, 0.3)).isEqualTo("small");
    assertThat(model.tierFor(0.25, 0.8)).isEqualTo("frontier");
  }

  @Test
  void weightsSurviveTheFileFormat() throws Exception {
    final BlendedPredictor model = trained();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BlendedPredictor.write(model.weights(), bytes);

    final BlendedPredictor read = new BlendedPredictor(
        BlendedPredictor.read(new ByteArrayInputStream(bytes.toByteArray())), EMBED);

    assertThat(read.score("a hard one")).isEqualTo(model.score("a hard one"));
    assertThat(read.score("a simple one")).isEqualTo(model.score("a simple one"));
  }

  @Test
  void theShippedRecipeTrainsTheNgramPartOnTheStrongModelsGain() {
    final List<LabeledPrompt> prompts = prompts();
    // A prompt both models miss: "the weak model fails" says hard, the gain says nothing to win.
    for (int i = 0; i < 60; i++) {
      prompts.add(new LabeledPrompt("mmlu/c", "hopeless riddle " + i, false, false));
    }
    final PredictorTrainer.Options options = PredictorTrainer.Options.defaults();

    final BlendedPredictor.Weights shipped =
        BlendedPredictor.train(prompts, p -> EMBED.apply(p.prompt()), options);

    final DifficultyPredictor gain =
        new PredictorTrainer(options.withLabel(PredictorTrainer.Label.SOFT_GAIN)).train(prompts);
    assertThat(shipped.ngram().score("hopeless riddle 7")).isEqualTo(gain.score("hopeless riddle 7"));
    assertThat(shipped.ngram().score("hopeless riddle 7"))
        .isLessThan(new PredictorTrainer(options).train(prompts).score("hopeless riddle 7"));
  }

  @Test
  void theShippedRecipeWeighsEachDomainByTheSquareRootOfItsSize() {
    final List<LabeledPrompt> prompts = new ArrayList<>();
    // 100 prompts of one domain say "(1, 0) is hard", 4 of another say "(0, 1) is hard":
    // unweighted, the big domain outvotes the small one 25 to 1; balanced, only 5 to 1.
    for (int i = 0; i < 100; i++) {
      prompts.add(new LabeledPrompt("mmlu/big", "big hard " + i, false, true));
      prompts.add(new LabeledPrompt("mmlu/big", "big easy " + i, true, true));
    }
    for (int i = 0; i < 4; i++) {
      prompts.add(new LabeledPrompt("mmlu/small", "small hard " + i, false, true));
      prompts.add(new LabeledPrompt("mmlu/small", "small easy " + i, true, true));
    }
    final Function<LabeledPrompt, float[]> rows = p -> p.prompt().startsWith("big")
        ? (p.prompt().contains("hard") ? new float[] {1, 0} : new float[] {0, 0})
        : (p.prompt().contains("hard") ? new float[] {0, 1} : new float[] {0, 0});
    final PredictorTrainer.Options options = PredictorTrainer.Options.defaults();

    final RidgeRegression balanced =
        BlendedPredictor.train(prompts, rows, options, BlendedPredictor.Recipe.SHIPPED).ridge();
    final RidgeRegression equal =
        BlendedPredictor.train(prompts, rows, options, BlendedPredictor.Recipe.BEFORE).ridge();

    final double balancedRatio = balanced.weights()[1] / balanced.weights()[0];
    final double equalRatio = equal.weights()[1] / equal.weights()[0];
    assertThat(balancedRatio).as("the small domain's direction counts more when balanced")
        .isGreaterThan(2 * equalRatio);
  }

  private static BlendedPredictor trained() {
    return new BlendedPredictor(BlendedPredictor.train(prompts(), p -> EMBED.apply(p.prompt()),
        PredictorTrainer.Options.defaults()), EMBED);
  }

  /** Hard prompts only the strong model gets right, and easy ones both do. */
  static List<LabeledPrompt> prompts() {
    final List<LabeledPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      // Hard prompts: only the strong model is right; easy ones: both are.
      prompts.add(new LabeledPrompt("mmlu/a", "hard problem number " + i, false, true));
      prompts.add(new LabeledPrompt("mmlu/b", "easy problem number " + i, true, true));
    }
    return prompts;
  }
}
