package dev.tiergate.router.predict;

import dev.tiergate.runtime.EntryPoint;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Trains {@link DifficultyPredictor} offline: logistic regression by seeded stochastic gradient
 * descent with L2 decay over hashed features, so the same data and options give the same model.
 *
 * <p>The target ({@link Label}) says what "needs the strong model" means; see the router README for
 * why {@link Label#WEAK_FAILS} is the default. Tier thresholds are set at quantiles of the training
 * scores: the top {@code frontierShare} of training prompts would go to frontier, the next {@code
 * balancedShare} to balanced, the rest to small.
 */
@EntryPoint
public final class PredictorTrainer {

  /** What the regression is trained to predict. */
  public enum Label {
    /** 1 when the weak model got it wrong: difficulty for the weak model. */
    WEAK_FAILS,
    /** (strong - weak + 1) / 2: the expected gain of the strong model, as a soft target. */
    SOFT_GAIN,
    /** 1 only when the strong model was right and the weak one wrong. */
    STRONG_ONLY
  }

  /** Training options; {@link #defaults()} are the ones the shipped model was trained with. */
  public record Options(
      int bits,
      int epochs,
      double learningRate,
      double l2,
      Label label,
      long seed,
      double frontierShare,
      double balancedShare) {

    public Options {
      Objects.requireNonNull(label, "label");
      if (epochs < 1 || learningRate <= 0 || l2 < 0) {
        throw new IllegalArgumentException("epochs >= 1, learningRate > 0 and l2 >= 0 required");
      }
      if (frontierShare < 0 || balancedShare < 0 || frontierShare + balancedShare > 1) {
        throw new IllegalArgumentException("tier shares must be >= 0 and add up to at most 1");
      }
    }

    public static Options defaults() {
      return new Options(16, 10, 0.2, 3e-3, Label.WEAK_FAILS, 20_260_101L, 0.3, 0.4);
    }

    public Options withLabel(final Label other) {
      return new Options(bits, epochs, learningRate, l2, other, seed, frontierShare, balancedShare);
    }
  }

  private final Options options;

  public PredictorTrainer(final Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Trains on the prompts; deterministic for given prompts and options. */
  public DifficultyPredictor train(final List<LabeledPrompt> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no training prompts");
    }
    final TextFeatures features = new TextFeatures(options.bits());
    final int[][] rows = new int[prompts.size()][];
    final double[] targets = new double[prompts.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = features.buckets(prompts.get(i).prompt());
      targets[i] = target(prompts.get(i));
    }
    final float[] weights = new float[features.dimension()];
    final float bias = descend(rows, targets, weights);
    final double[] scores = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      scores[i] = DifficultyPredictor.sigmoid(DifficultyPredictor.logit(rows[i], bias, weights));
    }
    return new DifficultyPredictor(
        options.bits(),
        weights,
        bias,
        quantileFromTop(scores, options.frontierShare()),
        quantileFromTop(scores, options.frontierShare() + options.balancedShare()));
  }

  private float descend(final int[][] rows, final double[] targets, final float[] weights) {
    final Random random = new Random(options.seed());
    final int[] order = new int[rows.length];
    Arrays.setAll(order, i -> i);
    final double rate = options.learningRate();
    final double decay = 1 - rate * options.l2();
    double bias = 0;
    for (int epoch = 0; epoch < options.epochs(); epoch++) {
      shuffle(order, random);
      for (final int i : order) {
        final int[] row = rows[i];
        final double scale = DifficultyPredictor.scale(row.length);
        final double p =
            DifficultyPredictor.sigmoid(DifficultyPredictor.logit(row, (float) bias, weights));
        final double gradient = p - targets[i];
        for (final int bucket : row) {
          weights[bucket] = (float) ((weights[bucket] - rate * gradient * scale) * decay);
        }
        bias -= rate * gradient;
      }
    }
    return (float) bias;
  }

  private double target(final LabeledPrompt prompt) {
    final int strong = prompt.strongCorrect() ? 1 : 0;
    final int weak = prompt.weakCorrect() ? 1 : 0;
    return switch (options.label()) {
      case WEAK_FAILS -> 1 - weak;
      case SOFT_GAIN -> (strong - weak + 1) / 2.0;
      case STRONG_ONLY -> strong * (1 - weak);
    };
  }

  /** The score above which the top {@code share} of scores lie (1.0+ when the share is 0). */
  static double quantileFromTop(final double[] scores, final double share) {
    if (share <= 0) {
      return Math.nextUp(1.0);
    }
    final double[] sorted = scores.clone();
    Arrays.sort(sorted);
    final int index = (int) Math.floor((1 - share) * sorted.length);
    return sorted[Math.min(Math.max(index, 0), sorted.length - 1)];
  }

  private static void shuffle(final int[] order, final Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      final int j = random.nextInt(i + 1);
      final int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }
}
