package dev.tiergate.accounting;

import dev.tiergate.schemas.ModelSpec;
import java.util.Optional;

/**
 * The three prices of one catalogue model, in integer micro-dollars per million tokens. Bounded so
 * that no single request can cost more than a {@code long} of micro-dollars holds.
 */
public record ModelPrice(
    long inputMicrosPerMillion, long cachedInputMicrosPerMillion, long outputMicrosPerMillion) {

  /** $10,000 per million tokens: 400 times today's most expensive frontier output price. */
  public static final long MAX_MICROS_PER_MILLION = 10_000_000_000L;

  /** What a model missing from the catalogue costs: nothing, and the row is flagged unpriced. */
  public static final ModelPrice UNKNOWN = new ModelPrice(0, 0, 0);

  public ModelPrice {
    check(inputMicrosPerMillion, "inputMicrosPerMillion");
    check(cachedInputMicrosPerMillion, "cachedInputMicrosPerMillion");
    check(outputMicrosPerMillion, "outputMicrosPerMillion");
  }

  /** The prices of a catalogue entry, or empty when the entry is absent or its prices are invalid. */
  public static Optional<ModelPrice> of(final ModelSpec spec) {
    if (spec == null || !valid(spec)) {
      return Optional.empty();
    }
    return Optional.of(
        new ModelPrice(
            spec.getInputMicrosPerMillion(),
            spec.getCachedInputMicrosPerMillion(),
            spec.getOutputMicrosPerMillion()));
  }

  private static boolean valid(final ModelSpec spec) {
    return inRange(spec.getInputMicrosPerMillion())
        && inRange(spec.getCachedInputMicrosPerMillion())
        && inRange(spec.getOutputMicrosPerMillion());
  }

  private static boolean inRange(final long price) {
    return price >= 0 && price <= MAX_MICROS_PER_MILLION;
  }

  private static void check(final long price, final String name) {
    if (!inRange(price)) {
      throw new IllegalArgumentException(
          name + " must be in [0, " + MAX_MICROS_PER_MILLION + "]: " + price);
    }
  }
}
