package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SamplingParams;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reservation arithmetic: what one request may cost at most. */
class CostBoundTest {

  private static final Map<String, ModelSpec> CATALOGUE = Map.of(
      "openai/gpt-5", model("openai/gpt-5", 1_250_000, 10_000_000),
      "openai/gpt-4.1", model("openai/gpt-4.1", 2_000_000, 8_000_000),
      "local/llama", model("local/llama", 0, 0));

  private final CostBound bounds = new CostBound(ReservationPolicy.defaults());

  @Test
  void pricesInputAndMaxTokensAndRoundsUpToAWholeMicroDollar() {
    // 9 × $1.25/M + 200 × $10/M = 11.25 + 2,000 micro-dollars → 2,012 reserved.
    final CostBound.Bound bound = bounds.of(request(200), 9, List.of("openai/gpt-5"), CATALOGUE::get);

    assertThat(bound.micros()).isEqualTo(2_012);
    assertThat(bound.model()).isEqualTo("openai/gpt-5");
    assertThat(bound.outputTokens()).isEqualTo(200);
  }

  @Test
  void aChainReservesItsDearestModelForThisRequest() {
    // Output-heavy: gpt-5 is dearer (200 × $10/M); input-heavy: gpt-4.1 is ($2/M input).
    final CostBound.Bound outputHeavy =
        bounds.of(request(200), 10, List.of("openai/gpt-4.1", "openai/gpt-5"), CATALOGUE::get);
    final CostBound.Bound inputHeavy =
        bounds.of(request(1), 100_000, List.of("openai/gpt-5", "openai/gpt-4.1"), CATALOGUE::get);

    assertThat(outputHeavy.model()).isEqualTo("openai/gpt-5");
    assertThat(outputHeavy.micros()).isEqualTo(CostBound.micros(10, 1_250_000, 200, 10_000_000));
    assertThat(inputHeavy.model()).isEqualTo("openai/gpt-4.1");
    assertThat(inputHeavy.micros()).isEqualTo(200_008);
  }

  @Test
  void withoutMaxTokensReservesThePolicysDefaultOrTheModelsOwn() {
    final CostBound perModel = new CostBound(new ReservationPolicy(
        1_024, Map.of("openai/gpt-5", 4_096), ReservationPolicy.DEFAULT_HOLD,
        ReservationPolicy.DEFAULT_GRACE));

    assertThat(bounds.of(request(null), 0, List.of("openai/gpt-5"), CATALOGUE::get).micros())
        .isEqualTo(10_240);
    assertThat(perModel.of(request(null), 0, List.of("openai/gpt-5"), CATALOGUE::get).micros())
        .isEqualTo(40_960);
    assertThat(perModel.of(request(null), 0, List.of("openai/gpt-4.1"), CATALOGUE::get).micros())
        .isEqualTo(8_192);
  }

  @Test
  void freeAndUnknownModelsReserveNothing() {
    assertThat(bounds.of(request(500), 1_000, List.of("local/llama", "unknown/model"),
        CATALOGUE::get).micros()).isZero();
  }

  @Test
  void staysExactAtHugeCountsAndCapsAtLongMax() {
    assertThat(CostBound.micros(10_000_000_000L, 10_000_000_000L, 0, 0))
        .isEqualTo(100_000_000_000_000L);
    assertThat(CostBound.micros(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0)).isEqualTo(Long.MAX_VALUE);
    assertThat(CostBound.micros(1, 1, 0, 0)).isEqualTo(1); // a millionth rounds up
    assertThat(CostBound.micros(0, 1, 0, 1)).isZero();
  }

  private static ChatRequest request(final Integer maxTokens) {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_1").setSessionId("sess_1").setTenant("acme")
        .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).build())
        .setReceivedAt(Instant.EPOCH).build();
  }

  private static ModelSpec model(final String id, final long in, final long out) {
    return ModelSpec.newBuilder().setId(id).setProvider(id.substring(0, id.indexOf('/')))
        .setUpstreamModel(id.substring(id.indexOf('/') + 1)).setFamily("f")
        .setInputMicrosPerMillion(in).setOutputMicrosPerMillion(out)
        .setCachedInputMicrosPerMillion(0).setContextWindow(100_000).setCapabilities(List.of())
        .build();
  }
}
