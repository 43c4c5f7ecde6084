package dev.tiergate.accounting;

import dev.tiergate.schemas.Usage;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Prices one model call exactly, in integer micro-dollars. Cached input tokens are a subset of the
 * input tokens and are charged only at the cached price; reasoning tokens are already inside the
 * output tokens (OpenAI's convention, which the dispatcher normalizes to) and are not charged again.
 * The sum of the three products is exact and rounded half up once, so per-part rounding never
 * accumulates.
 */
public final class CostCalculator {

  /** Ten billion tokens in one call: far beyond any context window, well inside exact arithmetic. */
  public static final long MAX_TOKENS = 10_000_000_000L;

  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);
  private static final BigInteger HALF_MILLION = BigInteger.valueOf(500_000);

  private CostCalculator() {}

  /**
   * The cost of one call.
   *
   * @throws IllegalArgumentException when the counts are negative, above {@link #MAX_TOKENS}, or
   *     the cached tokens exceed the input tokens (see {@link #problem(Usage)})
   */
  public static long costMicros(final Usage usage, final ModelPrice price) {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(price, "price");
    problem(usage)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    final long cached = usage.getCachedInputTokens();
    final long uncached = usage.getInputTokens() - cached;
    final BigInteger microTimesMillion =
        product(uncached, price.inputMicrosPerMillion())
            .add(product(cached, price.cachedInputMicrosPerMillion()))
            .add(product(usage.getOutputTokens(), price.outputMicrosPerMillion()));
    // Non-negative, so adding half and truncating is rounding half up. With the token and price
    // bounds the result is at most 3e14 micro-dollars, so it always fits a long.
    return microTimesMillion.add(HALF_MILLION).divide(MILLION).longValueExact();
  }

  /** Why these counts cannot be priced, or empty when they can. */
  public static Optional<String> problem(final Usage usage) {
    Objects.requireNonNull(usage, "usage");
    return Stream.of(
            outOfRange(usage.getInputTokens(), "inputTokens"),
            outOfRange(usage.getOutputTokens(), "outputTokens"),
            outOfRange(usage.getCachedInputTokens(), "cachedInputTokens"),
            outOfRange(usage.getReasoningTokens(), "reasoningTokens"),
            cachedAboveInput(usage))
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<String> outOfRange(final long count, final String name) {
    return count < 0 || count > MAX_TOKENS
        ? Optional.of(name + " out of range [0, " + MAX_TOKENS + "]: " + count)
        : Optional.empty();
  }

  private static Optional<String> cachedAboveInput(final Usage usage) {
    return usage.getCachedInputTokens() > usage.getInputTokens()
        ? Optional.of(
            "cachedInputTokens (" + usage.getCachedInputTokens() + ") exceed inputTokens ("
                + usage.getInputTokens() + ")")
        : Optional.empty();
  }

  private static BigInteger product(final long tokens, final long microsPerMillion) {
    return BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(microsPerMillion));
  }
}
