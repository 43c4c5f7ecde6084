package dev.tiergate.ingress.openrouter;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Usage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The price of one call from the catalogue, for clients that want the cost in the reply
 * (OpenRouter's {@code usage.cost}). Same rule as the accounting stream, which stays the books of
 * record: cached input tokens are charged only at the cached price, the exact sum is rounded half
 * up once to integer micro-dollars.
 */
final class UsageCost {

  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);
  private static final BigInteger HALF_MILLION = BigInteger.valueOf(500_000);

  private UsageCost() {}

  static long costMicros(final Usage usage, final ModelSpec price) {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(price, "price");
    final long cached = Math.min(usage.getCachedInputTokens(), usage.getInputTokens());
    final long uncached = usage.getInputTokens() - cached;
    return product(uncached, price.getInputMicrosPerMillion())
        .add(product(cached, price.getCachedInputMicrosPerMillion()))
        .add(product(usage.getOutputTokens(), price.getOutputMicrosPerMillion()))
        .add(HALF_MILLION)
        .divide(MILLION)
        .longValueExact();
  }

  /** Micro-dollars as an exact dollar amount, e.g. 1250 as 0.00125. */
  static BigDecimal dollars(final long micros) {
    return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
  }

  /** A price in micro-dollars per million tokens as dollars per token (OpenRouter's pricing). */
  static String dollarsPerToken(final long microsPerMillion) {
    return microsPerMillion == 0
        ? "0"
        : BigDecimal.valueOf(microsPerMillion, 12).stripTrailingZeros().toPlainString();
  }

  private static BigInteger product(final long tokens, final long microsPerMillion) {
    return BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(microsPerMillion));
  }
}
