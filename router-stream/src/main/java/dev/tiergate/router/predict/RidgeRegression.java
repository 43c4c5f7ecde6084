package dev.tiergate.router.predict;

import java.util.Arrays;
import java.util.Objects;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * A linear regression with an L2 penalty, solved exactly ((XᵀX + λI) w = Xᵀy on centred data by
 * a Cholesky decomposition): deterministic, no learning rate to tune, and on unit-length sentence
 * embeddings it held up on unseen domains far better than a logistic regression fitted by SGD on
 * standardised inputs (which amplified noise directions).
 */
public record RidgeRegression(float[] weights, float bias) {

  public RidgeRegression {
    Objects.requireNonNull(weights, "weights");
  }

  public double predict(final float[] row) {
    double sum = bias;
    for (int j = 0; j < weights.length; j++) {
      sum += weights[j] * row[j];
    }
    return sum;
  }

  /** Fits rows to targets with penalty {@code lambda}, every row weighing the same. */
  public static RidgeRegression fit(final float[][] rows, final double[] targets, final double lambda) {
    final double[] equal = new double[rows.length];
    Arrays.fill(equal, 1);
    return fit(rows, targets, equal, lambda);
  }

  /**
   * Fits rows to targets with penalty {@code lambda}, row {@code i} counting {@code
   * rowWeights[i]} times. The weights are scaled to average 1, so {@code lambda} means the same
   * as without them.
   */
  public static RidgeRegression fit(
      final float[][] rows, final double[] targets, final double[] rowWeights, final double lambda) {
    if (rows.length == 0 || rows.length != targets.length || rows.length != rowWeights.length) {
      throw new IllegalArgumentException("need one target and one weight per row, and at least one row");
    }
    final int n = rows.length;
    final int d = rows[0].length;
    final double total = Arrays.stream(rowWeights).sum();
    if (!(total > 0) || Arrays.stream(rowWeights).anyMatch(weight -> weight < 0)) {
      throw new IllegalArgumentException("row weights must be >= 0 with a positive sum");
    }
    final double[] weight = new double[n];
    for (int i = 0; i < n; i++) {
      weight[i] = rowWeights[i] * n / total;
    }
    final double[] mean = new double[d];
    double targetMean = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += weight[i] * rows[i][j] / n;
      }
      targetMean += weight[i] * targets[i] / n;
    }
    final double[][] gram = new double[d][d];
    final double[] moment = new double[d];
    final double[] centred = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        centred[j] = rows[i][j] - mean[j];
      }
      final double y = targets[i] - targetMean;
      for (int j = 0; j < d; j++) {
        final double weighted = weight[i] * centred[j];
        moment[j] += weighted * y;
        for (int k = j; k < d; k++) {
          gram[j][k] += weighted * centred[k];
        }
      }
    }
    for (int j = 0; j < d; j++) {
      gram[j][j] += lambda;
      for (int k = 0; k < j; k++) {
        gram[j][k] = gram[k][j];
      }
    }
    final RealVector solution = new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false))
        .getSolver().solve(new ArrayRealVector(moment, false));
    final float[] weights = new float[d];
    double bias = targetMean;
    for (int j = 0; j < d; j++) {
      weights[j] = (float) solution.getEntry(j);
      bias -= solution.getEntry(j) * mean[j];
    }
    return new RidgeRegression(weights, (float) bias);
  }
}
