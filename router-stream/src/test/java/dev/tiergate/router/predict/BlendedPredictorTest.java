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

  private static BlendedPredictor trained() {
    final List<LabeledPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      // Hard prompts: only the strong model is right; easy ones: both are.
      prompts.add(new LabeledPrompt("mmlu/a", "hard problem number " + i, false, true));
      prompts.add(new LabeledPrompt("mmlu/b", "easy problem number " + i, true, true));
    }
    return new BlendedPredictor(BlendedPredictor.train(prompts, p -> EMBED.apply(p.prompt()),
        PredictorTrainer.Options.defaults()), EMBED);
  }
}
