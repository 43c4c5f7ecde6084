package dev.tiergate.router.predict;

import dev.tiergate.runtime.EntryPoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.Objects;

/**
 * The offline training command's logic ({@code tiergate predictor train}): reports APGR on
 * held-out MMLU domains, fold by fold, then trains on everything and writes the model the router
 * ships. Also the evaluation ({@code tiergate predictor eval}).
 */
@EntryPoint
public final class PredictorTraining {

  /** The training data, relative to the repository root. */
  public static final String DEFAULT_DATA = "../shared/data/routing/routellm-dev.jsonl";
  /** Where the shipped model lives, relative to the repository root. */
  public static final String DEFAULT_MODEL_OUT =
      "router-stream/src/main/resources/" + DifficultyPredictor.RESOURCE;
  /** Where the shipped blended model lives, relative to the repository root. */
  public static final String DEFAULT_BLENDED_OUT =
      "router-stream/src/main/resources/" + BlendedPredictor.RESOURCE;
  public static final int FOLDS = 4;
  /** An embedder for models scored with precomputed embeddings only. */
  private static final Function<String, float[]> PRECOMPUTED_ONLY = text -> {
    throw new IllegalStateException("embeddings are precomputed");
  };

  private PredictorTraining() {}

  /** Held-out evaluation of each fold: trained without the fold's domains, scored on them. */
  public static List<RoutingEvaluation> crossValidate(
      final List<LabeledPrompt> prompts, final PredictorTrainer.Options options) {
    Objects.requireNonNull(prompts, "prompts");
    final List<RoutingEvaluation> folds = new ArrayList<>();
    for (int fold = 0; fold < FOLDS; fold++) {
      final HoldoutSplit split = HoldoutSplit.byDomain(prompts, FOLDS, fold);
      final DifficultyPredictor model = new PredictorTrainer(options).train(split.train());
      folds.add(evaluate(model, split.heldOut()));
    }
    return folds;
  }

  /** Held-out evaluation of the blended model, fold by fold, with precomputed embeddings. */
  public static List<RoutingEvaluation> crossValidateBlended(
      final List<LabeledPrompt> prompts, final Function<LabeledPrompt, float[]> embeddings,
      final PredictorTrainer.Options options) {
    final List<RoutingEvaluation> folds = new ArrayList<>();
    for (int fold = 0; fold < FOLDS; fold++) {
      final HoldoutSplit split = HoldoutSplit.byDomain(prompts, FOLDS, fold);
      final BlendedPredictor model = new BlendedPredictor(
          BlendedPredictor.train(split.train(), embeddings, options), PRECOMPUTED_ONLY);
      final double[] scores = split.heldOut().stream()
          .mapToDouble(p -> model.score(p.prompt(), embeddings.apply(p))).toArray();
      folds.add(RoutingEvaluation.of(split.heldOut(), scores));
    }
    return folds;
  }

  /** Scores every prompt and computes APGR and CPT. */
  public static RoutingEvaluation evaluate(
      final DifficultyScorer model, final List<LabeledPrompt> prompts) {
    return RoutingEvaluation.of(prompts, scores(model, prompts));
  }

  /** The model's score of every prompt, in order. */
  public static double[] scores(final DifficultyScorer model, final List<LabeledPrompt> prompts) {
    final double[] scores = new double[prompts.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = model.score(prompts.get(i).prompt());
    }
    return scores;
  }

  /**
   * Cross-validates the n-gram model and the blend, prints the figures, trains both on all
   * prompts and writes them ({@code blendedOut} null: the n-gram model only).
   */
  public static DifficultyPredictor trainAndWrite(
      final Path data, final Path modelOut, final Path blendedOut,
      final PredictorTrainer.Options options, final PrintStream report) throws IOException {
    return trainAndWrite(data, modelOut, blendedOut, null, options, report);
  }

  /** As above, reading and writing computed embeddings in {@code embeddingCache} (may be null). */
  public static DifficultyPredictor trainAndWrite(
      final Path data, final Path modelOut, final Path blendedOut, final Path embeddingCache,
      final PredictorTrainer.Options options, final PrintStream report) throws IOException {
    final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(data);
    report.printf(Locale.ROOT, "read %d prompts from %s%n", prompts.size(), data.getFileName());
    printFolds("n-gram", crossValidate(prompts, options), report);
    if (blendedOut != null) {
      final Map<LabeledPrompt, float[]> embeddings = PredictorComparison.embeddings(
          prompts, new PromptEmbedder(BlendedPredictor.ENCODER),
          PredictorComparison.cacheOf(embeddingCache, BlendedPredictor.ENCODER), report);
      printFolds("blend", crossValidateBlended(prompts, embeddings::get, options), report);
      final BlendedPredictor.Weights blended =
          BlendedPredictor.train(prompts, embeddings::get, options);
      Files.createDirectories(blendedOut.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(blendedOut)) {
        BlendedPredictor.write(blended, out);
      }
      report.printf(Locale.ROOT, "wrote %s%n", blendedOut.getFileName());
    }
    final DifficultyPredictor model = new PredictorTrainer(options).train(prompts);
    Files.createDirectories(modelOut.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(modelOut)) {
      model.write(out);
    }
    report.printf(Locale.ROOT, "wrote %s (thresholds frontier>=%.4f balanced>=%.4f)%n",
        modelOut.getFileName(), model.frontierThreshold(), model.balancedThreshold());
    return model;
  }

  private static void printFolds(
      final String name, final List<RoutingEvaluation> folds, final PrintStream report) {
    double sum = 0;
    for (int fold = 0; fold < folds.size(); fold++) {
      report.printf(Locale.ROOT, "%s held-out fold %d: %s%n", name, fold,
          folds.get(fold).summaryLine());
      sum += folds.get(fold).apgr();
    }
    report.printf(Locale.ROOT, "%s mean held-out APGR over %d folds: %.3f%n", name, folds.size(),
        sum / folds.size());
  }

  /**
   * Trains the shipped models; run from the repository root. Arguments (optional): the data file,
   * the n-gram model file, the blended model file, an embedding cache file. {@code ./tiergate
   * predictor train} does the same.
   */
  public static void main(final String[] args) throws IOException {
    final Path data = Path.of(args.length > 0 ? args[0] : DEFAULT_DATA);
    final Path out = Path.of(args.length > 1 ? args[1] : DEFAULT_MODEL_OUT);
    final Path blended = Path.of(args.length > 2 ? args[2] : DEFAULT_BLENDED_OUT);
    final Path cache = args.length > 3 ? Path.of(args[3]) : null;
    trainAndWrite(data, out, blended, cache, PredictorTrainer.Options.defaults(), System.out);
  }
}
