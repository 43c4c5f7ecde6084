package dev.tiergate.router.predict;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.tiergate.runtime.EntryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A sentence embedding of a prompt, computed in the JVM by all-MiniLM-L6-v2 (quantised ONNX, the
 * model inside the langchain4j jar; bge-small-en-v1.5 for comparison, {@link Encoder}): 384
 * numbers of unit length that place prompts about similar things near each other. Only the first
 * {@value #MAX_CHARS} characters are read (about the model's 512-token window), so the cost of a
 * prompt is bounded whatever its length. The model runs on the calling thread with one ONNX
 * Runtime thread (its default is a thread per core), so a prediction takes one core, and does not
 * fight the stream threads for the others.
 */
@EntryPoint
public final class PromptEmbedder {

  public static final int DIMENSION = 384;
  /** About 512 word pieces of English; the model could not see past that anyway. */
  public static final int MAX_CHARS = 2_000;

  /**
   * The sentence encoders, by the model and tokenizer files their langchain4j jars hold; both give
   * {@value #DIMENSION} numbers.
   */
  public enum Encoder {
    /** all-MiniLM-L6-v2, 6 layers, mean pooling: the shipped one, a dependency of the router. */
    MINILM("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", PoolingMode.MEAN),
    /**
     * bge-small-en-v1.5, 12 layers, CLS pooling, no instruction prefix (symmetric use). Compared
     * by {@code tiergate predictor compare} and not shipped (it scored lower), so its jar is on
     * the launcher's classpath only, not the router's.
     */
    BGE_SMALL("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", PoolingMode.CLS);

    private final String model;
    private final String tokenizer;
    private final PoolingMode pooling;

    Encoder(final String model, final String tokenizer, final PoolingMode pooling) {
      this.model = model;
      this.tokenizer = tokenizer;
      this.pooling = pooling;
    }
  }

  private final EmbeddingModel model;

  public PromptEmbedder() {
    this(Encoder.MINILM);
  }

  public PromptEmbedder(final Encoder encoder) {
    this.model = new SingleThreadedEncoder(Objects.requireNonNull(encoder, "encoder"));
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

  /** A quantised encoder from its langchain4j jar, in a one-thread ONNX session. */
  private static final class SingleThreadedEncoder extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    SingleThreadedEncoder(final Encoder which) {
      super(Runnable::run);
      final ClassLoader jar = PromptEmbedder.class.getClassLoader();
      try (InputStream model = jar.getResourceAsStream(which.model);
          InputStream tokenizer = jar.getResourceAsStream(which.tokenizer);
          OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        if (model == null || tokenizer == null) {
          throw new IllegalStateException(
              "the embedding model " + which.model + " is not on the classpath");
        }
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        this.encoder = new OnnxBertBiEncoder(environment,
            environment.createSession(model.readAllBytes(), options), tokenizer, which.pooling);
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
