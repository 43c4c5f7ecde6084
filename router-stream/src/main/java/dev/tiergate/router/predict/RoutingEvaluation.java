package dev.tiergate.router.predict;

import dev.tiergate.runtime.EntryPoint;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * RouteLLM's router metrics over scored prompts. Sweeping a threshold routes the top-scored share
 * to the strong model; accuracy is the strong model's correctness there and the weak model's
 * elsewhere. PGR = (accuracy - weak accuracy) / (strong accuracy - weak accuracy); APGR is the area
 * under PGR over the strong share from 0 to 1 (random routing: 0.5); CPT(x) is the smallest strong
 * share whose PGR reaches x. Prompts with equal scores cannot be told apart, so within a tie the
 * curve is the expectation over their order (a straight line), which keeps a constant score at
 * exactly 0.5.
 */
@EntryPoint
public record RoutingEvaluation(double apgr, double cpt50, double cpt80, int count) {

  /** Evaluates scores aligned with their prompts. */
  public static RoutingEvaluation of(final List<LabeledPrompt> prompts, final double[] scores) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(scores, "scores");
    if (prompts.size() != scores.length || prompts.isEmpty()) {
      throw new IllegalArgumentException("need one score per prompt, and at least one prompt");
    }
    final int n = prompts.size();
    final double[] gains = gainCurve(prompts, scores);
    final double weak = prompts.stream().filter(LabeledPrompt::weakCorrect).count();
    final double strong = prompts.stream().filter(LabeledPrompt::strongCorrect).count();
    final double gap = strong - weak;
    final double[] pgr = new double[n + 1];
    for (int k = 0; k <= n; k++) {
      pgr[k] = gap == 0 ? 1.0 : gains[k] / gap;
    }
    double area = 0;
    for (int k = 0; k < n; k++) {
      area += (pgr[k] + pgr[k + 1]) / 2.0 / n;
    }
    return new RoutingEvaluation(area, cpt(pgr, 0.5), cpt(pgr, 0.8), n);
  }

  /** One point of the cost–quality curve: a share of strong calls, the PGR and accuracy there. */
  public record CurvePoint(double strongShare, double pgr, double accuracy) {}

  /**
   * The cost–quality curve at {@code steps + 1} evenly spaced strong-call shares from 0 to 1:
   * what routing the top-scored share to the strong model recovers, and the accuracy it gives.
   */
  public static List<CurvePoint> curve(
      final List<LabeledPrompt> prompts, final double[] scores, final int steps) {
    Objects.requireNonNull(prompts, "prompts");
    if (prompts.size() != scores.length || prompts.isEmpty() || steps < 1) {
      throw new IllegalArgumentException("need one score per prompt, a prompt and a step");
    }
    final int n = prompts.size();
    final double[] gains = gainCurve(prompts, scores);
    final double weak = prompts.stream().filter(LabeledPrompt::weakCorrect).count();
    final double strong = prompts.stream().filter(LabeledPrompt::strongCorrect).count();
    final List<CurvePoint> points = new java.util.ArrayList<>();
    for (int step = 0; step <= steps; step++) {
      final double share = (double) step / steps;
      final double position = share * n;
      final int below = (int) Math.floor(position);
      final double gain = below >= n ? gains[n]
          : gains[below] + (gains[below + 1] - gains[below]) * (position - below);
      points.add(new CurvePoint(share, strong == weak ? 1.0 : gain / (strong - weak),
          (weak + gain) / n));
    }
    return points;
  }

  /** {@code APGR=0.xxx CPT50=xx.x% CPT80=xx.x% n=N}: the last line of {@code predictor eval}. */
  public String summaryLine() {
    return String.format(
        Locale.ROOT, "APGR=%.3f CPT50=%.1f%% CPT80=%.1f%% n=%d", apgr, cpt50 * 100, cpt80 * 100,
        count);
  }

  /** gains[k]: expected (strong - weak) correct answers gained by routing the top k strong. */
  private static double[] gainCurve(final List<LabeledPrompt> prompts, final double[] scores) {
    final int n = prompts.size();
    final Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    final double[] gains = new double[n + 1];
    int start = 0;
    while (start < n) {
      int end = start;
      double tieGain = 0;
      while (end < n && scores[order[end]] == scores[order[start]]) {
        tieGain += gain(prompts.get(order[end]));
        end++;
      }
      for (int k = start + 1; k <= end; k++) {
        gains[k] = gains[start] + tieGain * (k - start) / (end - start);
      }
      start = end;
    }
    return gains;
  }

  private static int gain(final LabeledPrompt prompt) {
    return (prompt.strongCorrect() ? 1 : 0) - (prompt.weakCorrect() ? 1 : 0);
  }

  private static double cpt(final double[] pgr, final double target) {
    final int n = pgr.length - 1;
    for (int k = 0; k <= n; k++) {
      if (pgr[k] >= target - 1e-12) {
        return (double) k / n;
      }
    }
    return 1.0;
  }
}
