package dev.tiergate.router.predict;

import dev.tiergate.runtime.BoundedMap;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ChatRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The router's difficulty predictor: a ridge regression over the prompt's sentence embedding
 * ({@link PromptEmbedder}) blended with the hashed n-gram logistic regression ({@link
 * DifficultyPredictor}), each standardised by its training scores. The score is the blend's
 * percentile among the calibration (training) prompts, so a score of 0.7 means "harder than 70%
 * of them", and a share of traffic maps to a threshold directly ({@link #tierFor(double, double)}).
 *
 * <p>Embedding a prompt costs milliseconds (the n-gram part microseconds), so the router only
 * scores requests without a mode; the last {@value #CACHE_ENTRIES} prompts' embeddings are kept,
 * so a retried or replayed request is not embedded twice.
 */
@EntryPoint
public final class BlendedPredictor implements DifficultyScorer {

  /** The trained model shipped on the classpath. */
  public static final String RESOURCE = "predictor/blended-model.bin.gz";
  /** Weight of the embedding part in the blend (the n-gram part has the rest). */
  public static final double EMBEDDING_WEIGHT = 0.7;
  /** Ridge penalty of the embedding regression. */
  public static final double RIDGE_LAMBDA = 100;
  /**
   * The sentence encoder the shipped model's regression reads (it won the comparison in the
   * router README); a model file holds no encoder, so its version says which.
   */
  public static final PromptEmbedder.Encoder ENCODER = PromptEmbedder.Encoder.E5_SMALL;
  static final int CACHE_ENTRIES = 1024;
  // "TGB3": e5-small, soft-gain n-gram, domain-balanced ridge. "TGB2" (e5-small, the weak-fails
  // n-gram, every prompt weighing the same) and "TGB1" (MiniLM) files are refused: the bytes of
  // TGB2 would still read, but the file would silently be the recipe the router no longer ships.
  private static final int MAGIC = 0x54474233;
  private static final int CALIBRATION_POINTS = 1001;

  /**
   * How a blend is trained. {@code ngramLabel} replaces the training options' label for the
   * n-gram part; a training prompt's row in the ridge regression weighs {@code n^-domainBalance},
   * n being the number of training prompts of its domain, so 0 weighs every prompt the same and
   * 1 every domain the same.
   */
  public record Recipe(PredictorTrainer.Label ngramLabel, double domainBalance) {
    /**
     * The shipped recipe: the n-gram part learns the strong model's expected gain, and each domain
     * counts as the square root of its size in the ridge, so the largest domains do not set the
     * direction of "hard" for unseen ones (router README: APGR 0.597 -> 0.602 on the domain folds,
     * 0.599–0.603 over powers 0.25–1, λ 50–300 and blend weights 0.6–0.8).
     */
    public static final Recipe SHIPPED = new Recipe(PredictorTrainer.Label.SOFT_GAIN, 0.5);
    /** The recipe shipped before: the weak-fails n-gram, every prompt weighing the same. */
    public static final Recipe BEFORE = new Recipe(PredictorTrainer.Label.WEAK_FAILS, 0);

    public Recipe {
      Objects.requireNonNull(ngramLabel, "ngramLabel");
      if (!(domainBalance >= 0 && domainBalance <= 1)) {
        throw new IllegalArgumentException("domainBalance must be in [0, 1]");
      }
    }
  }

  /** What the blend learned; the embedder is supplied at load time. */
  public record Weights(
      DifficultyPredictor ngram, RidgeRegression ridge, double ngramMean, double ngramStd,
      double embeddingMean, double embeddingStd, double[] calibration,
      double frontierShare, double balancedShare) {
    public Weights {
      Objects.requireNonNull(ngram, "ngram");
      Objects.requireNonNull(ridge, "ridge");
      calibration = calibration.clone();
    }
  }

  private final Weights weights;
  private final Function<String, float[]> embedder;
  private final Map<String, float[]> cache =
      Collections.synchronizedMap(BoundedMap.leastRecentlyUsed(CACHE_ENTRIES));

  public BlendedPredictor(final Weights weights, final Function<String, float[]> embedder) {
    this.weights = Objects.requireNonNull(weights, "weights");
    this.embedder = Objects.requireNonNull(embedder, "embedder");
  }

  /** The shipped model, embedding with a fresh {@link PromptEmbedder} of {@link #ENCODER}. */
  public static BlendedPredictor loadDefault() {
    try (InputStream in = BlendedPredictor.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      return new BlendedPredictor(read(in), new PromptEmbedder(ENCODER)::embed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the predictor model " + RESOURCE, e);
    }
  }

  public Weights weights() {
    return weights;
  }

  @Override
  public double score(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return score(DifficultyPredictor.promptText(request));
  }

  @Override
  public double score(final String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return percentile(blend(prompt, embedding(prompt)));
  }

  /** The score with a given embedding (training and evaluation reuse computed embeddings). */
  public double score(final String prompt, final float[] embedding) {
    return percentile(blend(prompt, embedding));
  }

  @Override
  public String tierFor(final double score) {
    return tierFor(score, weights.frontierShare());
  }

  @Override
  public String tierFor(final double score, final double strongShare) {
    final double share = Math.min(1, Math.max(0, strongShare));
    final double frontier = 1 - share;
    final double balanced = Math.min(frontier, 1 - weights.frontierShare() - weights.balancedShare());
    if (share > 0 && score >= frontier) {
      return "frontier";
    }
    return score >= balanced ? "balanced" : "small";
  }

  double blend(final String prompt, final float[] embedding) {
    final double ngram = logit(weights.ngram().score(prompt));
    final double dense = weights.ridge().predict(embedding);
    return EMBEDDING_WEIGHT * (dense - weights.embeddingMean()) / weights.embeddingStd()
        + (1 - EMBEDDING_WEIGHT) * (ngram - weights.ngramMean()) / weights.ngramStd();
  }

  /** The share of calibration prompts whose blend is below this one (interpolated), in [0, 1]. */
  double percentile(final double blend) {
    final double[] points = weights.calibration();
    final int at = Arrays.binarySearch(points, blend);
    final int index = at >= 0 ? at : -at - 1;
    if (index <= 0) {
      return 0;
    }
    if (index >= points.length) {
      return 1;
    }
    final double low = points[index - 1];
    final double high = points[index];
    final double within = high > low ? (blend - low) / (high - low) : 0;
    return (index - 1 + within) / (points.length - 1);
  }

  private float[] embedding(final String prompt) {
    final String key = prompt.length() > PromptEmbedder.MAX_CHARS
        ? prompt.substring(0, PromptEmbedder.MAX_CHARS) : prompt;
    final float[] known = cache.get(key);
    if (known != null) {
      return known;
    }
    final float[] computed = embedder.apply(key);
    cache.put(key, computed);
    return computed;
  }

  static double logit(final double p) {
    final double q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
    return Math.log(q / (1 - q));
  }

  /** Trains the blend with the {@linkplain Recipe#SHIPPED shipped recipe}. */
  public static Weights train(
      final List<LabeledPrompt> prompts, final Function<LabeledPrompt, float[]> embeddings,
      final PredictorTrainer.Options options) {
    return train(prompts, embeddings, options, Recipe.SHIPPED);
  }

  /**
   * Trains the blend on prompts whose embeddings {@code embeddings} supplies: the n-gram model
   * with {@code options} and the recipe's label, the ridge regression on the strong-only label
   * with the recipe's domain weights, standardisation and calibration on the training prompts'
   * own scores.
   */
  public static Weights train(
      final List<LabeledPrompt> prompts, final Function<LabeledPrompt, float[]> embeddings,
      final PredictorTrainer.Options options, final Recipe recipe) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(recipe, "recipe");
    final DifficultyPredictor ngram =
        new PredictorTrainer(options.withLabel(recipe.ngramLabel())).train(prompts);
    final float[][] rows = prompts.stream().map(embeddings).toArray(float[][]::new);
    final double[] targets = prompts.stream()
        .mapToDouble(p -> p.strongCorrect() && !p.weakCorrect() ? 1 : 0).toArray();
    final RidgeRegression ridge = RidgeRegression.fit(
        rows, targets, domainWeights(prompts, recipe.domainBalance()), RIDGE_LAMBDA);
    final double[] ngramScores = new double[rows.length];
    final double[] denseScores = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      ngramScores[i] = logit(ngram.score(prompts.get(i).prompt()));
      denseScores[i] = ridge.predict(rows[i]);
    }
    final Weights unscaled = new Weights(ngram, ridge, mean(ngramScores), std(ngramScores),
        mean(denseScores), std(denseScores), new double[] {0, 1},
        options.frontierShare(), options.balancedShare());
    final BlendedPredictor draft = new BlendedPredictor(unscaled, p -> null);
    final double[] blends = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      blends[i] = draft.blend(prompts.get(i).prompt(), rows[i]);
    }
    Arrays.sort(blends);
    final double[] calibration = new double[CALIBRATION_POINTS];
    for (int k = 0; k < CALIBRATION_POINTS; k++) {
      calibration[k] = blends[(int) Math.round((double) k * (blends.length - 1) / (CALIBRATION_POINTS - 1))];
    }
    return new Weights(ngram, ridge, unscaled.ngramMean(), unscaled.ngramStd(),
        unscaled.embeddingMean(), unscaled.embeddingStd(), calibration,
        options.frontierShare(), options.balancedShare());
  }

  /** Each prompt's weight: the number of prompts of its domain to the power {@code -balance}. */
  static double[] domainWeights(final List<LabeledPrompt> prompts, final double balance) {
    final Map<String, Long> sizes = prompts.stream()
        .collect(Collectors.groupingBy(LabeledPrompt::domain, Collectors.counting()));
    return prompts.stream()
        .mapToDouble(p -> Math.pow(sizes.get(p.domain()), -balance)).toArray();
  }

  private static double mean(final double[] values) {
    return Arrays.stream(values).average().orElse(0);
  }

  private static double std(final double[] values) {
    final double mean = mean(values);
    final double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElse(0);
    return Math.max(1e-9, Math.sqrt(variance));
  }

  /** Writes the weights, gzip-compressed; the stream is finished but left open. */
  public static void write(final Weights weights, final OutputStream out) throws IOException {
    final GZIPOutputStream gzip = new GZIPOutputStream(out);
    final DataOutputStream data = new DataOutputStream(gzip);
    data.writeInt(MAGIC);
    final ByteArrayOutputStream ngram = new ByteArrayOutputStream();
    weights.ngram().write(ngram);
    data.writeInt(ngram.size());
    data.write(ngram.toByteArray());
    data.writeInt(weights.ridge().weights().length);
    for (final float w : weights.ridge().weights()) {
      data.writeFloat(w);
    }
    data.writeFloat(weights.ridge().bias());
    data.writeDouble(weights.ngramMean());
    data.writeDouble(weights.ngramStd());
    data.writeDouble(weights.embeddingMean());
    data.writeDouble(weights.embeddingStd());
    data.writeDouble(weights.frontierShare());
    data.writeDouble(weights.balancedShare());
    data.writeInt(weights.calibration().length);
    for (final double point : weights.calibration()) {
      data.writeDouble(point);
    }
    data.flush();
    gzip.finish();
  }

  /** Reads weights written by {@link #write}. */
  public static Weights read(final InputStream gzipped) throws IOException {
    final DataInputStream in = new DataInputStream(new GZIPInputStream(gzipped));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a Tiergate blended predictor model of this version (retrain it)");
    }
    final byte[] ngramBytes = new byte[in.readInt()];
    in.readFully(ngramBytes);
    final DifficultyPredictor ngram = DifficultyPredictor.read(new ByteArrayInputStream(ngramBytes));
    final float[] ridgeWeights = new float[in.readInt()];
    for (int j = 0; j < ridgeWeights.length; j++) {
      ridgeWeights[j] = in.readFloat();
    }
    final RidgeRegression ridge = new RidgeRegression(ridgeWeights, in.readFloat());
    final double ngramMean = in.readDouble();
    final double ngramStd = in.readDouble();
    final double embeddingMean = in.readDouble();
    final double embeddingStd = in.readDouble();
    final double frontierShare = in.readDouble();
    final double balancedShare = in.readDouble();
    final double[] calibration = new double[in.readInt()];
    for (int k = 0; k < calibration.length; k++) {
      calibration[k] = in.readDouble();
    }
    return new Weights(ngram, ridge, ngramMean, ngramStd, embeddingMean, embeddingStd,
        calibration, frontierShare, balancedShare);
  }
}
