package dev.tiergate.router.predict;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compares predictor variants with the same 4-fold cross-validation by domain ({@link
 * HoldoutSplit}) and prints one table: APGR, CPT50 and CPT80 per held-out fold and their mean, and
 * the CPU time of one prediction. {@code tiergate predictor compare} runs it; the figures in the
 * router README come from it.
 */
public final class PredictorComparison {

  /** A way to train a scorer on some prompts. */
  interface Variant {
    Function<LabeledPrompt, Double> train(List<LabeledPrompt> train, Features features);
  }

  /** Features computed once per prompt and shared by every variant. */
  record Features(Map<LabeledPrompt, float[]> embeddings, PromptEmbedder embedder) {
    float[] embedding(final LabeledPrompt prompt) {
      final float[] known = embeddings.get(prompt);
      return known != null ? known : embedder.embed(prompt.prompt());
    }
  }

  private PredictorComparison() {}

  static double target(final LabeledPrompt prompt) {
    return prompt.weakCorrect() ? 0 : 1;
  }

  static Map<String, Variant> variants() {
    final Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put("length only", (train, f) -> p -> (double) p.prompt().length());
    variants.put("n-gram LR (shipped before)", (train, f) -> {
      final DifficultyPredictor model =
          new PredictorTrainer(PredictorTrainer.Options.defaults()).train(train);
      return p -> model.score(p.prompt());
    });
    variants.put("shape LR", (train, f) -> {
      final DenseLogistic model = dense(train, p -> ShapeFeatures.of(p.prompt()), 1e-3);
      return p -> model.score(ShapeFeatures.of(p.prompt()));
    });
    for (final double l2 : new double[] {1e-3, 1e-2, 3e-2}) {
      variants.put("embedding LR l2=" + l2, (train, f) -> {
        final DenseLogistic model = dense(train, p -> f.embedding(p), l2);
        return p -> model.score(f.embedding(p));
      });
    }
    for (final int k : new int[] {25, 100}) {
      variants.put("embedding kNN k=" + k, (train, f) -> {
        final float[][] rows = train.stream().map(f::embedding).toArray(float[][]::new);
        final double[] labels = train.stream().mapToDouble(PredictorComparison::target).toArray();
        return p -> knn(rows, labels, f.embedding(p), k);
      });
    }
    variants.put("embedding+shape LR", (train, f) -> {
      final DenseLogistic model = dense(train, p -> concat(f.embedding(p), ShapeFeatures.of(p.prompt())), 1e-2);
      return p -> model.score(concat(f.embedding(p), ShapeFeatures.of(p.prompt())));
    });
    variants.put("embedding+shape LR + n-gram", (train, f) -> {
      final DenseLogistic dense =
          dense(train, p -> concat(f.embedding(p), ShapeFeatures.of(p.prompt())), 1e-2);
      final DifficultyPredictor ngram =
          new PredictorTrainer(PredictorTrainer.Options.defaults()).train(train);
      return p -> dense.logit(concat(f.embedding(p), ShapeFeatures.of(p.prompt())))
          + logit(ngram.score(p.prompt()));
    });
    return variants;
  }

  static DenseLogistic dense(
      final List<LabeledPrompt> train, final Function<LabeledPrompt, float[]> rowOf,
      final double l2) {
    final float[][] rows = train.stream().map(rowOf).toArray(float[][]::new);
    final double[] targets = train.stream().mapToDouble(PredictorComparison::target).toArray();
    return DenseLogistic.train(rows, targets, l2, 8, 20_260_101L);
  }

  static double logit(final double p) {
    final double q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
    return Math.log(q / (1 - q));
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
    final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(data);
    final PromptEmbedder embedder = new PromptEmbedder();
    final Features features =
        new Features(embeddings(prompts, embedder, cache, report), embedder);
    report.println("| variant | fold 0 APGR / CPT50 / CPT80 | fold 1 | fold 2 | fold 3 "
        + "| mean APGR | mean CPT50 | mean CPT80 | CPU ms p50 / p99 |");
    report.println("|---|---|---|---|---|---|---|---|---|");
    for (final Map.Entry<String, Variant> variant : variants().entrySet()) {
      report.println(row(variant.getKey(), variant.getValue(), prompts, features));
    }
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
    final double[] cpu = cpuMillis(last, lastHeldOut, features);
    line.append(String.format(Locale.ROOT, " **%.3f** | %.1f%% | %.1f%% | %.3f / %.3f |",
        apgr, cpt50 * 100, cpt80 * 100, cpu[0], cpu[1]));
    return line.toString();
  }

  /**
   * CPU ms of one prediction on this thread, p50 and p99 over up to 400 held-out prompts, the
   * embedding computed afresh (not read from the cache) when the variant uses one.
   */
  static double[] cpuMillis(
      final Function<LabeledPrompt, Double> scorer, final List<LabeledPrompt> prompts,
      final Features features) {
    final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    final Features fresh = new Features(Map.of(), features.embedder());
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

  /** Arguments (optional): the data file, then the embedding cache file. */
  public static void main(final String[] args) throws IOException {
    final Path data = Path.of(args.length > 0 ? args[0] : PredictorTraining.DEFAULT_DATA);
    final Path cache = Path.of(args.length > 1 ? args[1] : "target/predictor-embeddings.bin.gz");
    compare(data, cache, System.out);
  }
}
