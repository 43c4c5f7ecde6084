package dev.tiergate.router.predict;

import dev.tiergate.schemas.ChatRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The blended predictor held to a share of its thread's time, with the blend's own n-gram model
 * standing in when that share is spent. An embedding costs milliseconds (router README), so on a
 * Kafka Streams thread a burst of requests without a mode would otherwise queue every request of
 * the partition behind it, those with a mode too; the n-gram model costs microseconds.
 *
 * <p>The budget is a bucket of nanoseconds: it fills at {@code share} of the wall-clock time that
 * passes, up to {@code burst}, and each blended prediction takes out what it took. While the bucket
 * is empty, requests get the n-gram model's score and tier at its own thresholds (trained at the same
 * tier shares; a key's strong share is not applied to them). Each thread has its own bucket, so
 * each stream thread's share is of its own time.
 */
public final class PacedPredictor implements DifficultyScorer {

  /** The share of the stream thread's time the embedding may take. */
  public static final double DEFAULT_SHARE = 0.5;
  /** How much embedding time may be spent at once after a quiet spell. */
  public static final Duration DEFAULT_BURST = Duration.ofSeconds(1);
  static final String STAND_IN = "n-gram";

  private final BlendedPredictor blend;
  private final DifficultyPredictor ngram;
  private final double share;
  private final long burstNanos;
  private final LongSupplier nanoTime;
  private final ThreadLocal<Bucket> buckets;

  public PacedPredictor(final BlendedPredictor blend) {
    this(blend, DEFAULT_SHARE, DEFAULT_BURST, System::nanoTime);
  }

  PacedPredictor(final BlendedPredictor blend, final double share, final Duration burst,
      final LongSupplier nanoTime) {
    this.blend = Objects.requireNonNull(blend, "blend");
    this.ngram = blend.weights().ngram();
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in (0, 1]: " + share);
    }
    this.share = share;
    this.burstNanos = burst.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.buckets = ThreadLocal.withInitial(() -> new Bucket(burstNanos, nanoTime.getAsLong()));
  }

  @Override
  public Prediction predict(final ChatRequest request, final Double strongShare) {
    final Bucket bucket = buckets.get();
    final long start = nanoTime.getAsLong();
    bucket.fill(start);
    if (bucket.nanos <= 0) {
      final double score = ngram.score(request);
      return new Prediction(score, ngram.tierFor(score), Optional.of(STAND_IN));
    }
    final Prediction prediction = blend.predict(request, strongShare);
    final long end = nanoTime.getAsLong();
    bucket.nanos -= end - start;
    bucket.fill(end);
    return prediction;
  }

  /** Nanoseconds of embedding time in hand, and when they were last topped up. */
  private final class Bucket {
    long nanos;
    long filledAt;

    Bucket(final long nanos, final long filledAt) {
      this.nanos = nanos;
      this.filledAt = filledAt;
    }

    void fill(final long now) {
      nanos = Math.min(burstNanos, nanos + (long) ((now - filledAt) * share));
      filledAt = now;
    }
  }

  @Override
  public double score(final ChatRequest request) {
    return blend.score(request);
  }

  @Override
  public double score(final String prompt) {
    return blend.score(prompt);
  }

  @Override
  public String tierFor(final double score) {
    return blend.tierFor(score);
  }

  @Override
  public String tierFor(final double score, final double strongShare) {
    return blend.tierFor(score, strongShare);
  }
}
