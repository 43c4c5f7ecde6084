package dev.tiergate.router.predict;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.tiergate.runtime.EntryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A sentence embedding of a prompt, computed in the JVM by all-MiniLM-L6-v2 (quantised ONNX, the
 * model inside the langchain4j jar): 384 numbers of unit length that place prompts about similar
 * things near each other. Only the first {@value #MAX_CHARS} characters are read (about the
 * model's 512-token window), so the cost of a prompt is bounded whatever its length. The model runs
 * on the calling thread with one ONNX Runtime thread (its default is a thread per core), so a
 * prediction takes one core, and does not fight the stream threads for the others.
 */
@EntryPoint
public final class PromptEmbedder {

  public static final int DIMENSION = 384;
  /** About 512 word pieces of English; the model could not see past that anyway. */
  public static final int MAX_CHARS = 2_000;

  private final EmbeddingModel model;

  public PromptEmbedder() {
    this.model = new SingleThreadedMiniLm();
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

  /** all-MiniLM-L6-v2 (quantised) from the langchain4j jar, in a one-thread ONNX session. */
  private static final class SingleThreadedMiniLm extends AbstractInProcessEmbeddingModel {
    private static final String MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private final OnnxBertBiEncoder encoder;

    SingleThreadedMiniLm() {
      super(Runnable::run);
      final ClassLoader jar = AllMiniLmL6V2QuantizedEmbeddingModel.class.getClassLoader();
      try (InputStream model = jar.getResourceAsStream(MODEL);
          InputStream tokenizer = jar.getResourceAsStream(TOKENIZER);
          OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        if (model == null || tokenizer == null) {
          throw new IllegalStateException("the embedding model is not on the classpath");
        }
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        this.encoder = new OnnxBertBiEncoder(environment,
            environment.createSession(model.readAllBytes(), options), tokenizer, PoolingMode.MEAN);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the embedding model", e);
      } catch (OrtException e) {
        throw new IllegalStateException("cannot start the embedding model", e);
      }
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return DIMENSION;
    }
  }
}
