package dev.tiergate.router;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ModelSpec;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The most a request may cost, reserved against its budgets before the call: its input tokens at
 * the model's input price plus its {@code max_tokens} (or the policy's default output reservation
 * for the model) at the output price, rounded up to a whole micro-dollar. Cached input is priced as
 * uncached, so the bound never undercuts accounting's figure for the same tokens. For a chain, the
 * dispatcher may fall back to any model, so the bound is the chain's most expensive model. A model
 * missing from the catalogue is priced 0, as accounting prices it.
 */
final class CostBound {

  private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

  /** The bound and what it rests on, for the decision's reason. */
  record Bound(long micros, String model, long inputTokens, long outputTokens) {
    static final Bound NONE = new Bound(0, null, 0, 0);
  }

  private final ReservationPolicy policy;

  CostBound(final ReservationPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** The bound over {@code chain}, given the request's input tokens. */
  Bound of(
      final ChatRequest request,
      final long inputTokens,
      final List<String> chain,
      final Function<String, ModelSpec> models) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(chain, "chain");
    final Integer maxTokens =
        request.getSampling() == null ? null : request.getSampling().getMaxTokens();
    Bound most = Bound.NONE;
    for (final String id : chain) {
      final ModelSpec spec = models.apply(id);
      if (spec == null) {
        continue;
      }
      final long output = maxTokens != null ? maxTokens : policy.outputTokens(id);
      final long micros = micros(inputTokens, spec.getInputMicrosPerMillion(), output,
          spec.getOutputMicrosPerMillion());
      if (micros > most.micros() || most.model() == null) {
        most = new Bound(micros, id, inputTokens, output);
      }
    }
    return most;
  }

  /** {@code ceil((input·inPrice + output·outPrice) / 1e6)}, exact; capped at {@code Long.MAX_VALUE}. */
  static long micros(
      final long inputTokens, final long inputPrice, final long outputTokens, final long outputPrice) {
    final BigInteger total = BigInteger.valueOf(Math.max(0, inputTokens))
        .multiply(BigInteger.valueOf(Math.max(0, inputPrice)))
        .add(BigInteger.valueOf(Math.max(0, outputTokens))
            .multiply(BigInteger.valueOf(Math.max(0, outputPrice))));
    final BigInteger micros = total.add(MILLION).subtract(BigInteger.ONE).divide(MILLION);
    return micros.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }
}
