package dev.tiergate.dispatcher.provider;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Per provider endpoint: a concurrency budget for interactive calls, a separate one for batch
 * calls, and a circuit breaker (resilience4j) that stops calling an endpoint that keeps failing, so
 * the chain falls back at once instead of waiting on timeouts. Only failures that say the endpoint
 * is unhealthy (5xx, connection errors, timeouts, broken streams) count against it; a 429 or a
 * rejected request does not.
 */
public final class ProviderGuards {

  private static final Logger log = LoggerFactory.getLogger(ProviderGuards.class);
  private static final Set<ProviderFailure.Kind> UNHEALTHY =
      Set.of(
          ProviderFailure.Kind.SERVER_ERROR,
          ProviderFailure.Kind.CONNECTION,
          ProviderFailure.Kind.TIMEOUT,
          ProviderFailure.Kind.INTERRUPTED);

  private final GuardSettings settings;
  private final CircuitBreakerRegistry breakers;
  private final Map<String, AsyncLimiter> interactive = new ConcurrentHashMap<>();
  private final Map<String, AsyncLimiter> batch = new ConcurrentHashMap<>();

  public ProviderGuards(final GuardSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.breakerFailureRate())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.breakerWindow())
                .minimumNumberOfCalls(Math.min(settings.breakerMinimumCalls(), settings.breakerWindow()))
                .waitDurationInOpenState(settings.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(ProviderGuards::unhealthy)
                .build());
  }

  /** One guarded non-streaming attempt. */
  public <T> Mono<T> call(final ProviderTarget target, final boolean isBatch, final Supplier<Mono<T>> attempt) {
    final CircuitBreaker breaker = breaker(target);
    return limiter(target, isBatch)
        .withPermit(() -> Mono.defer(attempt).transformDeferred(CircuitBreakerOperator.of(breaker)))
        .onErrorMap(CallNotPermittedException.class, e -> open(target));
  }

  /** One guarded streaming attempt. */
  public <T> Flux<T> stream(final ProviderTarget target, final boolean isBatch, final Supplier<Flux<T>> attempt) {
    final CircuitBreaker breaker = breaker(target);
    return limiter(target, isBatch)
        .withPermitMany(() -> Flux.defer(attempt).transformDeferred(CircuitBreakerOperator.of(breaker)))
        .onErrorMap(CallNotPermittedException.class, e -> open(target));
  }

  /** The breaker state of a provider endpoint, e.g. {@code CLOSED} or {@code OPEN}. */
  public CircuitBreaker.State state(final String provider) {
    return breakers.circuitBreaker(provider).getState();
  }

  public AsyncLimiter limiter(final ProviderTarget target, final boolean isBatch) {
    return (isBatch ? batch : interactive)
        .computeIfAbsent(
            target.provider(),
            name -> new AsyncLimiter(isBatch ? settings.maxBatchConcurrent() : settings.maxConcurrent()));
  }

  private CircuitBreaker breaker(final ProviderTarget target) {
    return breakers.circuitBreaker(target.provider());
  }

  private static ProviderFailure open(final ProviderTarget target) {
    log.debug("circuit open for provider {}; skipping {}", target.provider(), target.catalogueId());
    return ProviderFailure.of(
        ProviderFailure.Kind.CIRCUIT_OPEN, "circuit breaker open for provider " + target.provider());
  }

  private static boolean unhealthy(final Throwable error) {
    return error instanceof ProviderFailure failure && UNHEALTHY.contains(failure.kind());
  }
}
