package dev.tiergate.router.predict;

import dev.tiergate.router.predict.BlendedPredictor.Recipe;
import dev.tiergate.router.predict.PromptEmbedder.Encoder;
import dev.tiergate.runtime.EntryPoint;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compares predictor variants with the same 4-fold cross-validation by domain ({@link
 * HoldoutSplit}) and prints one table: APGR, CPT50 and CPT80 per held-out fold and their mean, and
 * the CPU time of one prediction. {@code tiergate predictor compare} runs it; the figures in the
 * router README come from it.
 */
@EntryPoint
public final class PredictorComparison {

  /** A way to train a scorer on some prompts. */
  interface Variant {
    Function<LabeledPrompt, Double> train(List<LabeledPrompt> train, Features features);
  }

  /**
   * Sentence embeddings shared by every variant, per encoder: computed (or read from that
   * encoder's cache file) for every prompt the first time a variant asks for the encoder, so an
   * encoder that no chosen variant uses is never loaded.
   */
  static final class Features {
    private final List<LabeledPrompt> prompts;
    private final Path cache;
    private final PrintStream report;
    private final Map<Encoder, PromptEmbedder> embedders = new EnumMap<>(Encoder.class);
    private final Map<Encoder, Map<LabeledPrompt, float[]>> embeddings = new EnumMap<>(Encoder.class);

    Features(final List<LabeledPrompt> prompts, final Path cache, final PrintStream report) {
      this.prompts = prompts;
      this.cache = cache;
      this.report = report;
    }

    PromptEmbedder embedder(final Encoder encoder) {
      return embedders.computeIfAbsent(encoder, PromptEmbedder::new);
    }

    float[] embedding(final Encoder encoder, final LabeledPrompt prompt) {
      final float[] known = embeddings.computeIfAbsent(encoder, this::embedAll).get(prompt);
      return known != null ? known : embedder(encoder).embed(prompt.prompt());
    }

    float[] minilm(final LabeledPrompt prompt) {
      return embedding(Encoder.MINILM, prompt);
    }

    float[] bge(final LabeledPrompt prompt) {
      return embedding(Encoder.BGE_SMALL, prompt);
    }

    float[] e5(final LabeledPrompt prompt) {
      return embedding(Encoder.E5_SMALL, prompt);
    }

    private Map<LabeledPrompt, float[]> embedAll(final Encoder encoder) {
      try {
        return embeddings(prompts, embedder(encoder), cacheOf(cache, encoder), report);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read or write the embedding cache", e);
      }
    }
  }

  private PredictorComparison() {}

  static double target(final LabeledPrompt prompt) {
    return prompt.weakCorrect() ? 0 : 1;
  }

  static Map<String, Variant> variants() {
    final Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put("length only", (train, f) -> p -> (double) p.prompt().length());
    variants.put("n-gram LR (shipped first)", (train, f) -> {
      final DifficultyPredictor model =
          new PredictorTrainer(PredictorTrainer.Options.defaults()).train(train);
      return p -> model.score(p.prompt());
    });
    variants.put("shape LR", (train, f) -> {
      final DenseLogistic model = dense(train, p -> ShapeFeatures.of(p.prompt()), 1e-3);
      return p -> model.score(ShapeFeatures.of(p.prompt()));
    });
    variants.put("embedding LR (SGD, standardised)", (train, f) -> {
      final DenseLogistic model = dense(train, f::minilm, 1e-3);
      return p -> model.score(f.minilm(p));
    });
    variants.put("embedding ridge, weak fails",
        ridgeOn(f -> f::minilm, p -> p.weakCorrect() ? 0 : 1));
    variants.put("embedding ridge, strong only",
        ridgeOn(f -> f::minilm, PredictorComparison::strongOnly));
    variants.put("embedding+shape ridge, strong only",
        ridgeOn(f -> p -> withShape(f, p), PredictorComparison::strongOnly));
    variants.put("embedding kNN k=200, strong only", (train, f) -> {
      final float[][] rows = train.stream().map(f::minilm).toArray(float[][]::new);
      final double[] labels = train.stream().mapToDouble(PredictorComparison::strongOnly).toArray();
      return p -> knn(rows, labels, f.minilm(p), 200);
    });
    variants.put("blend: 0.7 MiniLM ridge + 0.3 n-gram (shipped earlier)", (train, f) -> blend(
        train, f::minilm, f.embedder(Encoder.MINILM)::embed, Recipe.BEFORE));
    variants.put("bge-small ridge, strong only",
        ridgeOn(f -> f::bge, PredictorComparison::strongOnly));
    variants.put("blend: 0.7 bge-small ridge + 0.3 n-gram", (train, f) -> blend(
        train, f::bge, f.embedder(Encoder.BGE_SMALL)::embed, Recipe.BEFORE));
    variants.put("blend: 0.7 ridge on MiniLM+bge-small (768) + 0.3 n-gram", (train, f) -> blend(
        train, p -> concat(f.minilm(p), f.bge(p)),
        text -> concat(f.embedder(Encoder.MINILM).embed(text),
            f.embedder(Encoder.BGE_SMALL).embed(text)), Recipe.BEFORE));
    variants.put("e5-small-v2 ridge, strong only",
        ridgeOn(f -> f::e5, PredictorComparison::strongOnly));
    variants.put("blend: 0.7 e5-small ridge + 0.3 n-gram (shipped before)", (train, f) -> blend(
        train, f::e5, f.embedder(Encoder.E5_SMALL)::embed, Recipe.BEFORE));
    variants.put("blend: 0.7 e5-small ridge + 0.3 soft-gain n-gram", (train, f) -> blend(
        train, f::e5, f.embedder(Encoder.E5_SMALL)::embed,
        new Recipe(PredictorTrainer.Label.SOFT_GAIN, 0)));
    variants.put("blend: 0.7 e5-small domain-balanced ridge + 0.3 n-gram", (train, f) -> blend(
        train, f::e5, f.embedder(Encoder.E5_SMALL)::embed,
        new Recipe(PredictorTrainer.Label.WEAK_FAILS, Recipe.SHIPPED.domainBalance())));
    variants.put("blend: 0.7 e5-small domain-balanced ridge + 0.3 soft-gain n-gram (shipped)",
        (train, f) -> blend(train, f::e5, f.embedder(Encoder.E5_SMALL)::embed, Recipe.SHIPPED));
    return variants;
  }

  /** The blend trained by {@code recipe} on the embedding {@code rowOf} gives ({@code embed} computes). */
  static Function<LabeledPrompt, Double> blend(
      final List<LabeledPrompt> train, final Function<LabeledPrompt, float[]> rowOf,
      final Function<String, float[]> embed, final Recipe recipe) {
    final BlendedPredictor model = new BlendedPredictor(
        BlendedPredictor.train(train, rowOf, PredictorTrainer.Options.defaults(), recipe), embed);
    return p -> model.score(p.prompt(), rowOf.apply(p));
  }

  static double strongOnly(final LabeledPrompt prompt) {
    return prompt.strongCorrect() && !prompt.weakCorrect() ? 1 : 0;
  }

  /** Shape features scaled down so they do not dominate the unit-length embedding. */
  static float[] withShape(final Features features, final LabeledPrompt prompt) {
    final float[] shape = ShapeFeatures.of(prompt.prompt());
    for (int j = 0; j < shape.length; j++) {
      shape[j] *= 0.05f;
    }
    return concat(features.minilm(prompt), shape);
  }

  /** A ridge regression to {@code target} on the rows {@code rowsOf} gives, scored by its prediction. */
  static Variant ridgeOn(
      final Function<Features, Function<LabeledPrompt, float[]>> rowsOf,
      final ToDoubleFunction<LabeledPrompt> target) {
    return (train, f) -> {
      final Function<LabeledPrompt, float[]> rowOf = rowsOf.apply(f);
      final RidgeRegression model = RidgeRegression.fit(
          train.stream().map(rowOf).toArray(float[][]::new),
          train.stream().mapToDouble(target).toArray(), BlendedPredictor.RIDGE_LAMBDA);
      return p -> model.predict(rowOf.apply(p));
    };
  }

  static DenseLogistic dense(
      final List<LabeledPrompt> train, final Function<LabeledPrompt, float[]> rowOf,
      final double l2) {
    final float[][] rows = train.stream().map(rowOf).toArray(float[][]::new);
    final double[] targets = train.stream().mapToDouble(PredictorComparison::target).toArray();
    return DenseLogistic.train(rows, targets, l2, 8, 20_260_101L);
  }

  static float[] concat(final float[] a, final float[] b) {
    final float[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** The share of the k nearest training prompts (cosine) the weak model failed. */
  static double knn(final float[][] rows, final double[] labels, final float[] query, final int k) {
    final double[] similarity = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      double dot = 0;
      for (int j = 0; j < query.length; j++) {
        dot += rows[i][j] * query[j];
      }
      similarity[i] = dot;
    }
    final double[] sorted = similarity.clone();
    Arrays.sort(sorted);
    final double cut = sorted[Math.max(0, sorted.length - k)];
    double sum = 0;
    int count = 0;
    for (int i = 0; i < rows.length; i++) {
      if (similarity[i] >= cut) {
        sum += labels[i];
        count++;
      }
    }
    return sum / count;
  }

  /** Embeddings of every prompt, cached in a file keyed by prompt text. */
  static Map<LabeledPrompt, float[]> embeddings(
      final List<LabeledPrompt> prompts, final PromptEmbedder embedder, final Path cache,
      final PrintStream report) throws IOException {
    final Map<String, float[]> byText = new HashMap<>();
    if (cache != null && Files.exists(cache)) {
      try (InputStream raw = Files.newInputStream(cache);
          DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
        final int count = in.readInt();
        for (int i = 0; i < count; i++) {
          final String text = in.readUTF();
          final float[] vector = new float[PromptEmbedder.DIMENSION];
          for (int j = 0; j < vector.length; j++) {
            vector[j] = in.readFloat();
          }
          byText.put(text, vector);
        }
      }
    }
    final Map<LabeledPrompt, float[]> result = new IdentityHashMap<>();
    int computed = 0;
    for (final LabeledPrompt prompt : prompts) {
      final String key = prompt.prompt().length() > PromptEmbedder.MAX_CHARS
          ? prompt.prompt().substring(0, PromptEmbedder.MAX_CHARS) : prompt.prompt();
      float[] vector = byText.get(key);
      if (vector == null) {
        vector = embedder.embed(prompt.prompt());
        byText.put(key, vector);
        if (++computed % 1000 == 0) {
          report.printf(Locale.ROOT, "embedded %d prompts%n", computed);
        }
      }
      result.put(prompt, vector);
    }
    if (cache != null && computed > 0) {
      Files.createDirectories(cache.toAbsolutePath().getParent());
      try (OutputStream raw = Files.newOutputStream(cache);
          DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
        out.writeInt(byText.size());
        for (final Map.Entry<String, float[]> entry : byText.entrySet()) {
          out.writeUTF(entry.getKey());
          for (final float value : entry.getValue()) {
            out.writeFloat(value);
          }
        }
      }
    }
    return result;
  }

  /** Cross-validates every variant and prints the table. */
  public static void compare(final Path data, final Path cache, final PrintStream report)
      throws IOException {
    compare(data, cache, "", report);
  }

  /** As above, only the variants whose name contains {@code only}. */
  public static void compare(
      final Path data, final Path cache, final String only, final PrintStream report)
      throws IOException {
    final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(data);
    final Features features = new Features(prompts, cache, report);
    report.println("| variant | fold 0 APGR / CPT50 / CPT80 | fold 1 | fold 2 | fold 3 "
        + "| mean APGR | mean CPT50 | mean CPT80 | CPU ms p50 / p99 |");
    report.println("|---|---|---|---|---|---|---|---|---|");
    for (final Map.Entry<String, Variant> variant : variants().entrySet()) {
      if (variant.getKey().contains(only)) {
        report.println(row(variant.getKey(), variant.getValue(), prompts, features));
      }
    }
  }

  /** An encoder's embedding cache: {@code cache} itself for MiniLM, a sibling file for others. */
  static Path cacheOf(final Path cache, final Encoder encoder) {
    return cache == null || encoder == Encoder.MINILM ? cache
        : cache.resolveSibling(cache.getFileName().toString()
            .replace(".bin", "-" + encoder.name().toLowerCase(Locale.ROOT) + ".bin"));
  }

  private static String row(
      final String name, final Variant variant, final List<LabeledPrompt> prompts,
      final Features features) {
    final StringBuilder line = new StringBuilder("| " + name + " |");
    double apgr = 0;
    double cpt50 = 0;
    double cpt80 = 0;
    Function<LabeledPrompt, Double> last = null;
    List<LabeledPrompt> lastHeldOut = List.of();
    for (int fold = 0; fold < PredictorTraining.FOLDS; fold++) {
      final HoldoutSplit split = HoldoutSplit.byDomain(prompts, PredictorTraining.FOLDS, fold);
      final Function<LabeledPrompt, Double> scorer = variant.train(split.train(), features);
      final double[] scores = split.heldOut().stream().mapToDouble(scorer::apply).toArray();
      final RoutingEvaluation result = RoutingEvaluation.of(split.heldOut(), scores);
      line.append(String.format(Locale.ROOT, " %.3f / %.1f%% / %.1f%% |",
          result.apgr(), result.cpt50() * 100, result.cpt80() * 100));
      apgr += result.apgr() / PredictorTraining.FOLDS;
      cpt50 += result.cpt50() / PredictorTraining.FOLDS;
      cpt80 += result.cpt80() / PredictorTraining.FOLDS;
      last = scorer;
      lastHeldOut = split.heldOut();
    }
    final double[] cpu = cpuMillis(last, lastHeldOut);
    line.append(String.format(Locale.ROOT, " **%.3f** | %.1f%% | %.1f%% | %.3f / %.3f |",
        apgr, cpt50 * 100, cpt80 * 100, cpu[0], cpu[1]));
    return line.toString();
  }

  /**
   * CPU ms of one prediction on this thread, p50 and p99 over up to 400 held-out prompts, the
   * embedding computed afresh (not read from the cache) when the variant uses one.
   */
  static double[] cpuMillis(
      final Function<LabeledPrompt, Double> scorer, final List<LabeledPrompt> prompts) {
    final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    final List<Double> times = new ArrayList<>();
    final int count = Math.min(400, prompts.size());
    for (int i = 0; i < count; i++) {
      // Rebuild the prompt so the identity-keyed cache misses and the embedding is computed.
      final LabeledPrompt original = prompts.get(i);
      final LabeledPrompt copy = new LabeledPrompt(original.source(), original.prompt(),
          original.weakCorrect(), original.strongCorrect());
      final long start = threads.getCurrentThreadCpuTime();
      scorer.apply(copy);
      times.add((threads.getCurrentThreadCpuTime() - start) / 1e6);
    }
    times.sort(Double::compare);
    return new double[] {times.get(times.size() / 2), times.get((int) (times.size() * 0.99))};
  }

  /**
   * Arguments (optional): the data file, the embedding cache file, a part of the variant names to
   * run (default: all).
   */
  public static void main(final String[] args) throws IOException {
    final Path data = Path.of(args.length > 0 ? args[0] : PredictorTraining.DEFAULT_DATA);
    final Path cache = Path.of(args.length > 1 ? args[1] : "target/predictor-embeddings.bin.gz");
    compare(data, cache, args.length > 2 ? args[2] : "", System.out);
  }
}
