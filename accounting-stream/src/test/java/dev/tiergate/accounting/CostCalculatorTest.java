package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CostCalculatorTest {

  /** $1.25/M input, $0.125/M cached input, $10/M output. */
  private static final ModelPrice PRICE = new ModelPrice(1_250_000, 125_000, 10_000_000);

  @Test
  void pricesInputAndOutputPerMillionTokens() {
    // 1000 * 1.25 + 500 * 10 = 1250 + 5000 micro-dollars.
    assertThat(CostCalculator.costMicros(usage(1_000, 0, 500, 0), PRICE)).isEqualTo(6_250);
  }

  @Test
  void chargesCachedInputOnlyAtTheCachedPrice() {
    // 200 uncached * 1.25 + 800 cached * 0.125 = 250 + 100; charging all 1000 at the input price
    // as well would give 1350.
    assertThat(CostCalculator.costMicros(usage(1_000, 800, 0, 0), PRICE)).isEqualTo(350);
  }

  @Test
  void doesNotChargeReasoningTokensOnTopOfOutput() {
    // 100 output tokens of which 60 reasoning: 100 * 10, not 160 * 10.
    assertThat(CostCalculator.costMicros(usage(0, 0, 100, 60), PRICE)).isEqualTo(1_000);
  }

  @Test
  void roundsTheExactSumOnceInsteadOfEachPart() {
    final ModelPrice oneAndAHalf = new ModelPrice(1_500_000, 1_500_000, 1_500_000);
    // 1.5 + 1.5 = 3.0; rounding each part first would give 2 + 2 = 4.
    assertThat(CostCalculator.costMicros(usage(1, 0, 1, 0), oneAndAHalf)).isEqualTo(3);

    final ModelPrice fourTenths = new ModelPrice(400_000, 400_000, 400_000);
    // 0.4 + 0.4 + 0.4 = 1.2 -> 1; rounding each part first would give 0.
    assertThat(CostCalculator.costMicros(usage(2, 1, 1, 0), fourTenths)).isEqualTo(1);
  }

  @Test
  void roundsHalfUp() {
    assertThat(CostCalculator.costMicros(usage(1, 0, 0, 0), new ModelPrice(500_000, 0, 0)))
        .isEqualTo(1);
    assertThat(CostCalculator.costMicros(usage(1, 0, 0, 0), new ModelPrice(499_999, 0, 0)))
        .isZero();
  }

  @Test
  void staysExactWhereLongProductsWouldOverflow() {
    final ModelPrice price = new ModelPrice(9_999_999_999L, 3, 1_234_567);
    // 9_999_999_999 * 9_999_999_999 alone is about 1e20, past Long.MAX_VALUE (about 9.2e18).
    // Exact sum: 99_999_999_980_000_000_001 + 3 + 9_602_187_776_817_559
    //          = 100_009_602_167_776_817_563 -> /1e6, half up -> 100_009_602_167_777.
    final long cost =
        CostCalculator.costMicros(usage(10_000_000_000L, 1, 7_777_777_777L, 0), price);

    assertThat(cost).isEqualTo(100_009_602_167_777L);
  }

  @Test
  void chargesTheLargestAllowedCallWithoutOverflow() {
    final long max = CostCalculator.MAX_TOKENS;
    final long price = ModelPrice.MAX_MICROS_PER_MILLION;
    final ModelPrice top = new ModelPrice(price, price, price);

    assertThat(CostCalculator.costMicros(usage(max, 0, max, max), top))
        .isEqualTo(200_000_000_000_000L);
  }

  @Test
  void unknownModelCostsNothing() {
    assertThat(CostCalculator.costMicros(usage(1_000, 10, 1_000, 0), ModelPrice.UNKNOWN)).isZero();
  }

  @Test
  void rejectsCachedTokensAboveInputTokens() {
    assertThat(CostCalculator.problem(usage(10, 11, 0, 0))).hasValueSatisfying(
        problem -> assertThat(problem).contains("cachedInputTokens"));
    assertThatThrownBy(() -> CostCalculator.costMicros(usage(10, 11, 0, 0), PRICE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNegativeAndAbsurdCounts() {
    assertThat(CostCalculator.problem(usage(-1, 0, 0, 0))).isPresent();
    assertThat(CostCalculator.problem(usage(0, 0, CostCalculator.MAX_TOKENS + 1, 0))).isPresent();
    assertThat(CostCalculator.problem(usage(5, 5, 5, 5))).isEmpty();
  }

  @Test
  void catalogueEntriesWithPricesOutOfRangeAreNotPriced() {
    assertThat(ModelPrice.of(TestData.model("x/y", -1, 0, 0))).isEmpty();
    assertThat(ModelPrice.of(TestData.model("x/y", 1, 0, ModelPrice.MAX_MICROS_PER_MILLION + 1)))
        .isEmpty();
    assertThat(ModelPrice.of(null)).isEmpty();
    assertThat(ModelPrice.of(TestData.model("x/y", 1, 2, 3))).contains(new ModelPrice(1, 2, 3));
  }
}
