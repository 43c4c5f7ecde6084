package dev.tiergate.router.predict;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.Objects;

/**
 * A sentence embedding of a prompt, computed in the JVM by all-MiniLM-L6-v2 (quantised ONNX, the
 * model inside the langchain4j jar): 384 numbers of unit length that place prompts about similar
 * things near each other. Only the first {@value #MAX_CHARS} characters are read (about the
 * model's 512-token window), so the cost of a prompt is bounded whatever its length.
 */
public final class PromptEmbedder {

  public static final int DIMENSION = 384;
  /** About 512 word pieces of English; the model could not see past that anyway. */
  public static final int MAX_CHARS = 2_000;

  private final EmbeddingModel model;

  public PromptEmbedder() {
    this.model = new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  /** The prompt's embedding, L2-normalised. */
  public float[] embed(final String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    final String text = prompt.length() > MAX_CHARS ? prompt.substring(0, MAX_CHARS) : prompt;
    final float[] vector = model.embed(text.isBlank() ? "." : text).content().vector();
    double norm = 0;
    for (final float value : vector) {
      norm += value * value;
    }
    final float inverse = norm == 0 ? 0f : (float) (1 / Math.sqrt(norm));
    final float[] unit = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      unit[i] = vector[i] * inverse;
    }
    return unit;
  }
}
