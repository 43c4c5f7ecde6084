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
  public static final int FOLDS = 4;

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

  /** Scores every prompt and computes APGR and CPT. */
  public static RoutingEvaluation evaluate(
      final DifficultyPredictor model, final List<LabeledPrompt> prompts) {
    final double[] scores = new double[prompts.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = model.score(prompts.get(i).prompt());
    }
    return RoutingEvaluation.of(prompts, scores);
  }

  /** Cross-validates, prints the figures, trains on all prompts and writes the model. */
  public static DifficultyPredictor trainAndWrite(
      final Path data, final Path modelOut, final PredictorTrainer.Options options,
      final PrintStream report) throws IOException {
    final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(data);
    report.printf(Locale.ROOT, "read %d prompts from %s%n", prompts.size(), data.getFileName());
    final List<RoutingEvaluation> folds = crossValidate(prompts, options);
    double sum = 0;
    for (int fold = 0; fold < folds.size(); fold++) {
      report.printf(Locale.ROOT, "held-out fold %d: %s%n", fold, folds.get(fold).summaryLine());
      sum += folds.get(fold).apgr();
    }
    report.printf(Locale.ROOT, "mean held-out APGR over %d folds: %.3f%n", folds.size(),
        sum / folds.size());
    final DifficultyPredictor model = new PredictorTrainer(options).train(prompts);
    Files.createDirectories(modelOut.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(modelOut)) {
      model.write(out);
    }
    report.printf(Locale.ROOT, "wrote %s (thresholds frontier>=%.4f balanced>=%.4f)%n",
        modelOut.getFileName(), model.frontierThreshold(), model.balancedThreshold());
    return model;
  }

  /**
   * Trains the shipped model; run from the repository root. Arguments (optional): the data file,
   * then the model file to write. {@code ./tiergate predictor train} does the same.
   */
  public static void main(final String[] args) throws IOException {
    final Path data = Path.of(args.length > 0 ? args[0] : DEFAULT_DATA);
    final Path out = Path.of(args.length > 1 ? args[1] : DEFAULT_MODEL_OUT);
    trainAndWrite(data, out, PredictorTrainer.Options.defaults(), System.out);
  }
}
