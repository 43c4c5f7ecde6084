package dev.tiergate.router.predict;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Scores how much a request needs a strong model, in [0, 1], with a logistic regression over hashed
 * word and character-trigram features of the last user message ({@link TextFeatures}). A plain
 * in-JVM class with no I/O on the scoring path: loading the shipped weights happens once, and a
 * score is a few thousand array reads, far under the 1 ms budget.
 *
 * <p>The two thresholds map a score to a tier ({@link #tierFor}); training sets them at score
 * quantiles so that a chosen share of traffic lands on each tier.
 */
@EntryPoint
public final class DifficultyPredictor implements DifficultyScorer {

  /** The trained model shipped on the classpath. */
  public static final String RESOURCE = "predictor/difficulty-model.bin.gz";

  private static final int MAGIC = 0x54475031; // "TGP1"

  private final int bits;
  private final TextFeatures features;
  private final float[] weights;
  private final float bias;
  private final double frontierThreshold;
  private final double balancedThreshold;

  public DifficultyPredictor(
      final int bits,
      final float[] weights,
      final float bias,
      final double frontierThreshold,
      final double balancedThreshold) {
    Objects.requireNonNull(weights, "weights");
    this.bits = bits;
    this.features = new TextFeatures(bits);
    if (weights.length != features.dimension()) {
      throw new IllegalArgumentException(
          "expected " + features.dimension() + " weights, got " + weights.length);
    }
    if (!(balancedThreshold <= frontierThreshold)) {
      throw new IllegalArgumentException("balanced threshold must not exceed frontier threshold");
    }
    this.weights = weights.clone();
    this.bias = bias;
    this.frontierThreshold = frontierThreshold;
    this.balancedThreshold = balancedThreshold;
  }

  /** The model shipped as {@value #RESOURCE}. */
  public static DifficultyPredictor loadDefault() {
    try (InputStream in = DifficultyPredictor.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the predictor model " + RESOURCE, e);
    }
  }

  /** Reads a model written by {@link #write}. */
  public static DifficultyPredictor read(final InputStream gzipped) throws IOException {
    Objects.requireNonNull(gzipped, "gzipped");
    final DataInputStream in = new DataInputStream(new GZIPInputStream(gzipped));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a Tiergate predictor model");
    }
    final int bits = in.readInt();
    final float bias = in.readFloat();
    final double frontier = in.readDouble();
    final double balanced = in.readDouble();
    final float[] weights = new float[1 << bits];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = in.readFloat();
    }
    return new DifficultyPredictor(bits, weights, bias, frontier, balanced);
  }

  /** Writes the model, gzip-compressed; the stream is finished but left open. */
  public void write(final OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    final GZIPOutputStream gzip = new GZIPOutputStream(out);
    final DataOutputStream data = new DataOutputStream(gzip);
    data.writeInt(MAGIC);
    data.writeInt(bits);
    data.writeFloat(bias);
    data.writeDouble(frontierThreshold);
    data.writeDouble(balancedThreshold);
    for (final float weight : weights) {
      data.writeFloat(weight);
    }
    data.flush();
    gzip.finish();
  }

  /** How much the request needs a strong model, in [0, 1]. */
  @Override
  public double score(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return score(promptText(request));
  }

  /** How much a prompt needs a strong model, in [0, 1]. */
  @Override
  public double score(final String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return sigmoid(logit(features.buckets(prompt), bias, weights));
  }

  /** {@code frontier} at or above the frontier threshold, {@code balanced} above the other, else small. */
  @Override
  public String tierFor(final double score) {
    if (score >= frontierThreshold) {
      return "frontier";
    }
    return score >= balancedThreshold ? "balanced" : "small";
  }

  public double frontierThreshold() {
    return frontierThreshold;
  }

  public double balancedThreshold() {
    return balancedThreshold;
  }

  /** The same model with other tier thresholds. */
  public DifficultyPredictor withThresholds(final double frontier, final double balanced) {
    return new DifficultyPredictor(bits, weights, bias, frontier, balanced);
  }

  static double logit(final int[] buckets, final float bias, final float[] weights) {
    double sum = 0;
    for (final int bucket : buckets) {
      sum += weights[bucket];
    }
    return bias + sum * scale(buckets.length);
  }

  /** Features are weighted 1/sqrt(n) so a long prompt does not saturate the score. */
  static double scale(final int featureCount) {
    return 1.0 / Math.sqrt(Math.max(1, featureCount));
  }

  static double sigmoid(final double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  /** The text the predictor reads: the last user message's text, else every text part. */
  static String promptText(final ChatRequest request) {
    final List<Message> messages = request.getMessages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      final Message message = messages.get(i);
      if ("user".equals(message.getRole())) {
        final String text = text(List.of(message));
        if (!text.isEmpty()) {
          return text;
        }
      }
    }
    return text(messages);
  }

  private static String text(final List<Message> messages) {
    final StringBuilder text = new StringBuilder();
    for (final Message message : messages) {
      for (final ContentPart part : message.getParts()) {
        if (part.getType() == PartType.TEXT && part.getText() != null) {
          if (text.length() > 0) {
            text.append('\n');
          }
          text.append(part.getText());
          if (text.length() >= TextFeatures.MAX_CHARS) {
            return text.toString();
          }
        }
      }
    }
    return text.toString();
  }
}
