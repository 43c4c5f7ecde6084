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
 * A sentence embedding of a prompt, computed in the JVM by a small quantised ONNX encoder from a
 * langchain4j jar ({@link Encoder}; the router ships e5-small-v2, the others are compared): 384
 * numbers of unit length that place prompts about similar things near each other. Only the first
 * {@value #MAX_CHARS} characters are read (about 256 word pieces), so the cost of a prompt is
 * bounded whatever its length: e5-small would read up to 512 and costs about linearly in length
 * (router README), while MiniLM stops at 256 word pieces anyway. The model runs on the calling
 * thread with one ONNX Runtime thread (its default is a thread per core), so a prediction takes
 * one core, and does not fight the stream threads for the others.
 */
@EntryPoint
public final class PromptEmbedder {

  public static final int DIMENSION = 384;
  /** About 256 word pieces of English. */
  public static final int MAX_CHARS = 1_000;

  /**
   * The sentence encoders, by the model and tokenizer files their langchain4j jars hold; each gives
   * {@value #DIMENSION} numbers. Only the router's ({@code BlendedPredictor.ENCODER}) is on its
   * classpath; the others are on the launcher's, for {@code tiergate predictor compare}.
   */
  public enum Encoder {
    /** all-MiniLM-L6-v2, 6 layers, mean pooling: the router's before e5-small won. */
    MINILM("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", PoolingMode.MEAN),
    /**
     * bge-small-en-v1.5, 12 layers, CLS pooling, no instruction prefix (symmetric use); it scored
     * lower than MiniLM.
     */
    BGE_SMALL("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", PoolingMode.CLS),
    /**
     * e5-small-v2, 12 layers, mean pooling; trained to see {@code "query: "} before a question,
     * so the prompt gets that prefix.
     */
    E5_SMALL("e5-small-v2-q.onnx", "e5-small-v2-q-tokenizer.json", PoolingMode.MEAN, "query: ");

    private final String model;
    private final String tokenizer;
    private final PoolingMode pooling;
    private final String prefix;

    Encoder(final String model, final String tokenizer, final PoolingMode pooling) {
      this(model, tokenizer, pooling, "");
    }

    Encoder(
        final String model, final String tokenizer, final PoolingMode pooling, final String prefix) {
      this.model = model;
      this.tokenizer = tokenizer;
      this.pooling = pooling;
      this.prefix = prefix;
    }
  }

  private final EmbeddingModel model;
  private final String prefix;

  public PromptEmbedder(final Encoder encoder) {
    this.model = new SingleThreadedEncoder(Objects.requireNonNull(encoder, "encoder"));
    this.prefix = encoder.prefix;
  }

  /** The prompt's embedding, L2-normalised. */
  public float[] embed(final String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    final String text = prompt.length() > MAX_CHARS ? prompt.substring(0, MAX_CHARS) : prompt;
    final float[] vector = model.embed(prefix + (text.isBlank() ? "." : text)).content().vector();
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
