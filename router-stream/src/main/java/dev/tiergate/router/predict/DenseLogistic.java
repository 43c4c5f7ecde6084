package dev.tiergate.router.predict;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A logistic regression over a short dense vector (an embedding, shape features, or both),
 * trained by seeded mini-batch gradient descent with L2 decay on standardised inputs. The means
 * and scales are kept with the weights so scoring standardises the same way.
 */
public record DenseLogistic(float[] mean, float[] scale, float[] weights, float bias) {

  public DenseLogistic {
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(scale, "scale");
    Objects.requireNonNull(weights, "weights");
    if (mean.length != weights.length || scale.length != weights.length) {
      throw new IllegalArgumentException("mean, scale and weights must have the same length");
    }
  }

  /** The logit for one row. */
  public double logit(final float[] row) {
    double sum = bias;
    for (int j = 0; j < weights.length; j++) {
      sum += weights[j] * (row[j] - mean[j]) / scale[j];
    }
    return sum;
  }

  public double score(final float[] row) {
    return DifficultyPredictor.sigmoid(logit(row));
  }

  /** Trains on rows and 0–1 targets; deterministic for a given seed. */
  public static DenseLogistic train(
      final float[][] rows, final double[] targets, final double l2, final int epochs,
      final long seed) {
    final int n = rows.length;
    final int d = rows[0].length;
    final float[] mean = new float[d];
    final float[] scale = new float[d];
    for (final float[] row : rows) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / n;
      }
    }
    for (final float[] row : rows) {
      for (int j = 0; j < d; j++) {
        scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
      }
    }
    for (int j = 0; j < d; j++) {
      scale[j] = (float) Math.max(1e-6, Math.sqrt(scale[j]));
    }
    final float[] weights = new float[d];
    double bias = 0;
    final int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    final Random random = new Random(seed);
    final double rate = 0.05;
    final float[] x = new float[d];
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = n - 1; i > 0; i--) {
        final int k = random.nextInt(i + 1);
        final int swap = order[i];
        order[i] = order[k];
        order[k] = swap;
      }
      for (final int i : order) {
        double z = bias;
        for (int j = 0; j < d; j++) {
          x[j] = (rows[i][j] - mean[j]) / scale[j];
          z += weights[j] * x[j];
        }
        final double gradient = DifficultyPredictor.sigmoid(z) - targets[i];
        for (int j = 0; j < d; j++) {
          weights[j] -= (float) (rate * (gradient * x[j] + l2 * weights[j]));
        }
        bias -= rate * gradient;
      }
    }
    return new DenseLogistic(mean, scale, weights, (float) bias);
  }
}
