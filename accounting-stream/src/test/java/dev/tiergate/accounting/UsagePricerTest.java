package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.model;
import static dev.tiergate.accounting.TestData.usage;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsagePricerTest {

  private final UsagePricer pricer = new UsagePricer();

  @Test
  void pricesKnownModelsAtTheirCataloguePrice() {
    final PricedUsage priced = pricer.apply(
        event("req_1", "t", "plan", "openai/gpt-5", usage(1_000, 0, 100, 0)),
        model("openai/gpt-5", 1_250_000, 125_000, 10_000_000));

    assertThat(priced.priced()).isTrue();
    assertThat(priced.costMicros()).isEqualTo(2_250);
  }

  @Test
  void countsUnknownModelsAtZeroAndWarnsOncePerModel() {
    final PricedUsage first =
        pricer.apply(event("req_1", "t", "plan", "acme/x", usage(10, 0, 10, 0)), null);
    pricer.apply(event("req_2", "t", "plan", "acme/x", usage(10, 0, 10, 0)), null);
    pricer.apply(event("req_3", "t", "plan", "acme/y", usage(10, 0, 10, 0)), null);

    assertThat(first.priced()).isFalse();
    assertThat(first.costMicros()).isZero();
    assertThat(pricer.warnedModelCount()).isEqualTo(2);
  }

  @Test
  void treatsOutOfRangeCataloguePricesAsUnknown() {
    final PricedUsage priced = pricer.apply(
        event("req_1", "t", "plan", "acme/x", usage(10, 0, 10, 0)), model("acme/x", -5, 0, 0));

    assertThat(priced.priced()).isFalse();
    assertThat(priced.costMicros()).isZero();
  }

  @Test
  void remembersABoundedNumberOfWarnedModels() {
    for (int i = 0; i < UsagePricer.MAX_WARNED_MODELS + 50; i++) {
      pricer.apply(event("req_" + i, "t", "plan", "acme/m" + i, usage(1, 0, 1, 0)), null);
    }

    assertThat(pricer.warnedModelCount()).isEqualTo(UsagePricer.MAX_WARNED_MODELS);
  }
}
