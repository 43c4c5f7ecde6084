package dev.tiergate.router.predict;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ChatRequest;
import java.util.Objects;
import java.util.Optional;

/** Scores how much a request needs a strong model, in [0, 1], and maps a score to a tier. */
@EntryPoint
public interface DifficultyScorer {

  /** How much the request needs a strong model, in [0, 1]. */
  double score(ChatRequest request);

  /** How much a prompt needs a strong model, in [0, 1]. */
  double score(String prompt);

  /** {@code frontier}, {@code balanced} or {@code small} at the shipped tier shares. */
  String tierFor(double score);

  /**
   * The tier when at most {@code strongShare} (0–1) of requests without a mode may go to the
   * frontier tier: the frontier threshold moves to the score above which that share of the
   * calibration prompts lie. The balanced threshold stays unless it would exceed the new frontier
   * one. A scorer without calibration data uses its shipped thresholds.
   */
  default String tierFor(final double score, final double strongShare) {
    return tierFor(score);
  }

  /**
   * The request's score and tier in one step, at the key's {@code strongShare} when it has one
   * (null: the shipped shares).
   */
  default Prediction predict(final ChatRequest request, final Double strongShare) {
    final double score = score(request);
    return new Prediction(score, strongShare == null ? tierFor(score) : tierFor(score, strongShare),
        Optional.empty());
  }

  /**
   * One prediction; {@code standIn} names the model that scored it when it was not the scorer's
   * own (see {@link PacedPredictor}).
   */
  record Prediction(double score, String tier, Optional<String> standIn) {
    public Prediction {
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(standIn, "standIn");
    }
  }
}
