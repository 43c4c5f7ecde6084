package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model the router ships, with its real encoder (e5-small-v2 in ONNX Runtime): it loads from
 * the router's own classpath, embeds, and scores; a model file of an earlier version (MiniLM, or
 * e5-small with the recipe shipped before) is refused rather than read as the shipped recipe.
 */
class ShippedPredictorTest {

  @Test
  void theRouterEncoderGivesUnitVectorsThatPlaceParaphrasesTogether() {
    final PromptEmbedder embedder = new PromptEmbedder(BlendedPredictor.ENCODER);

    final float[] question = embedder.embed("How many moles of oxygen are in 32 grams of O2?");
    final float[] paraphrase = embedder.embed("What amount of O2, in moles, is 32 g of oxygen gas?");
    final float[] unrelated = embedder.embed("Write a friendly title for this chat about holidays.");

    assertThat(question).hasSize(PromptEmbedder.DIMENSION);
    assertThat(dot(question, question)).isCloseTo(1.0, within(1e-4));
    assertThat(dot(question, paraphrase)).isGreaterThan(dot(question, unrelated));
    assertThat(embedder.embed("How many moles of oxygen are in 32 grams of O2?"))
        .as("deterministic").containsExactly(question);
  }

  @Test
  void theShippedModelLoadsWithItsEncoderAndScoresPercentiles() {
    final BlendedPredictor model = BlendedPredictor.loadDefault();

    final double score = model.score("Let G be a finite group and H a normal subgroup of index 2. "
        + "Prove that every element of order 3 lies in H.");

    assertThat(score).isBetween(0.0, 1.0);
    assertThat(model.tierFor(score)).isIn("frontier", "balanced", "small");
  }

  @ParameterizedTest
  @ValueSource(ints = {
      0x54474231, // "TGB1": trained on MiniLM embeddings
      0x54474232}) // "TGB2": e5-small, but the recipe shipped before (weak-fails n-gram, unweighted)
  void aModelFileOfAnEarlierVersionIsRefused(final int magic) throws IOException {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
      out.writeInt(magic);
    }

    assertThatThrownBy(() -> BlendedPredictor.read(new ByteArrayInputStream(bytes.toByteArray())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("retrain");
  }

  private static double dot(final float[] a, final float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
