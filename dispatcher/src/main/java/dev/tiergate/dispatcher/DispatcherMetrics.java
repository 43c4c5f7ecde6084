package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderGuards;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.runtime.ServiceMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * The dispatcher's Prometheus metrics: every provider call by provider, model and outcome with its
 * latency (a histogram), retries, fallbacks along the chain, requests by how they ended, each
 * provider's circuit-breaker state and the requests in flight per lane. Timers are cached per tag
 * set, as counters are, so the hot path does one map lookup; consumer lag comes from the Kafka client metrics bound
 * by {@link DispatcherService}.
 */
public final class DispatcherMetrics extends ServiceMetrics {

  static final String CALLS = "tiergate.dispatcher.provider.calls";
  static final String CALL_LATENCY = "tiergate.dispatcher.provider.latency";
  static final String RETRIES = "tiergate.dispatcher.retries";
  static final String FALLBACKS = "tiergate.dispatcher.fallbacks";
  static final String REQUESTS = "tiergate.dispatcher.requests";
  static final String BREAKER_STATE = "tiergate.dispatcher.circuit.state";
  static final String IN_FLIGHT = "tiergate.dispatcher.in.flight";
  static final String OK = "ok";
  private static final List<CircuitBreaker.State> BREAKER_STATES =
      List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);

  public DispatcherMetrics(final MeterRegistry registry) {
    super(registry);
  }

  /** Metrics kept in memory only, for tests and tools that do not export them. */
  public static DispatcherMetrics inMemory() {
    return new DispatcherMetrics(new SimpleMeterRegistry());
  }

  /**
   * One provider call (one attempt: each retry is a call of its own), timed to its end and counted;
   * a non-streamed call is a stream of one reply.
   */
  public <T> Flux<T> stream(final ProviderTarget target, final Supplier<Flux<T>> call) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(call, "call");
    return Flux.defer(() -> {
      final long start = System.nanoTime();
      return call.get()
          .doOnComplete(() -> called(target, OK, start))
          .doOnError(error -> called(target, outcome(error), start))
          .doOnCancel(() -> called(target, "cancelled", start));
    });
  }

  /** A retry of the same model is about to be made. */
  public void retried(final ProviderTarget target) {
    counter(RETRIES, "provider", target.provider(), "model", target.catalogueId()).increment();
  }

  /** The chain moves on from {@code model}; {@code reason} is the failure kind that ended it. */
  void fellBack(final String model, final String reason) {
    counter(FALLBACKS, "model", model, "reason", reason).increment();
  }

  /** How a request ended: {@code served}, {@code interrupted} or the error type. */
  void ended(final String outcome, final boolean batch) {
    counter(REQUESTS, "outcome", outcome, "lane", lane(batch)).increment();
  }

  /** Gauges of each provider endpoint's breaker: 1 for its current state, 0 for the others. */
  void breakers(final ProviderGuards guards, final Collection<String> providers) {
    Objects.requireNonNull(guards, "guards");
    for (final String provider : providers) {
      for (final CircuitBreaker.State state : BREAKER_STATES) {
        Gauge.builder(BREAKER_STATE, guards, g -> g.state(provider) == state ? 1 : 0)
            .tag("provider", provider)
            .tag("state", state.name().toLowerCase(Locale.ROOT))
            .description("1 for the breaker's current state")
            .register(registry());
      }
    }
  }

  /** Gauges of the requests a worker serves at once, per lane. */
  void inFlight(final DispatcherWorker worker) {
    Objects.requireNonNull(worker, "worker");
    Gauge.builder(IN_FLIGHT, worker, w -> w.inFlight(false)).tag("lane", lane(false)).register(registry());
    Gauge.builder(IN_FLIGHT, worker, w -> w.inFlight(true)).tag("lane", lane(true)).register(registry());
  }

  /** The count so far of one call counter (for tests). */
  double calls(final String model, final String outcome) {
    return registry().find(CALLS).tag("model", model).tag("outcome", outcome).counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private void called(final ProviderTarget target, final String outcome, final long start) {
    final Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    counter(CALLS, "provider", target.provider(), "model", target.catalogueId(), "outcome", outcome)
        .increment();
    latencyTimer(CALL_LATENCY, "provider call latency, one attempt", Duration.ofMillis(1),
        Duration.ofMinutes(10), "provider", target.provider(), "model", target.catalogueId())
        .record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static String outcome(final Throwable error) {
    return error instanceof ProviderFailure failure
        ? failure.kind().name().toLowerCase(Locale.ROOT)
        : "error";
  }

  private static String lane(final boolean batch) {
    return batch ? "batch" : "interactive";
  }
}
