package dev.tiergate.dispatcher.provider;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Per provider endpoint: a concurrency budget for interactive calls, a separate one for batch
 * calls, and within each a budget per tenant, so one tenant cannot take every slot of a provider;
 * and a circuit breaker (resilience4j) per provider and tenant that stops calling an endpoint that
 * keeps failing for that tenant, so its chain falls back at once instead of waiting on timeouts.
 * Breakers are per tenant because failures often are (a tenant's own key, its huge prompts, its
 * slow tools): one tenant's timeouts never open the breaker for another. An endpoint that is down
 * for everyone opens every tenant's breaker after each tenant's own minimum of calls. Only failures
 * that say the endpoint is unhealthy (5xx, connection errors, timeouts, broken streams) count; a
 * 429 or a rejected request does not.
 */
public final class ProviderGuards {

  /** The tenant of calls made without one (the tenant-less overloads, e.g. in tests). */
  public static final String NO_TENANT = "";

  private static final Logger log = LoggerFactory.getLogger(ProviderGuards.class);
  private static final Set<ProviderFailure.Kind> UNHEALTHY =
      Set.of(
          ProviderFailure.Kind.SERVER_ERROR,
          ProviderFailure.Kind.CONNECTION,
          ProviderFailure.Kind.TIMEOUT,
          ProviderFailure.Kind.INTERRUPTED);
  /** Breaker states from worst to best, for a provider's state over all its tenants. */
  private static final List<CircuitBreaker.State> WORST_FIRST =
      List.of(
          CircuitBreaker.State.FORCED_OPEN, CircuitBreaker.State.OPEN,
          CircuitBreaker.State.HALF_OPEN);

  private final GuardSettings settings;
  private final CircuitBreakerRegistry breakers;
  private final Map<String, Map<String, CircuitBreaker>> breakersByProvider = new ConcurrentHashMap<>();
  private final Map<String, AsyncLimiter> interactive = new ConcurrentHashMap<>();
  private final Map<String, AsyncLimiter> batch = new ConcurrentHashMap<>();
  private final Map<String, AsyncLimiter> interactiveByTenant = new ConcurrentHashMap<>();
  private final Map<String, AsyncLimiter> batchByTenant = new ConcurrentHashMap<>();

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

  /** One guarded streaming attempt with no tenant. */
  public <T> Flux<T> stream(final ProviderTarget target, final boolean isBatch, final Supplier<Flux<T>> attempt) {
    return stream(target, NO_TENANT, isBatch, attempt);
  }

  /**
   * One guarded attempt for a tenant, its slot first, then the provider's; a non-streamed call is
   * a stream of one reply.
   */
  public <T> Flux<T> stream(
      final ProviderTarget target, final String tenant, final boolean isBatch,
      final Supplier<Flux<T>> attempt) {
    final CircuitBreaker breaker = breaker(target.provider(), tenant);
    final AsyncLimiter provider = limiter(target, isBatch);
    final Supplier<Flux<T>> guarded =
        () -> provider.withPermitMany(
            () -> Flux.defer(attempt).transformDeferred(CircuitBreakerOperator.of(breaker)));
    return tenantLimiter(target, tenant, isBatch)
        .map(share -> share.withPermitMany(guarded))
        .orElseGet(guarded)
        .onErrorMap(CallNotPermittedException.class, e -> open(target, tenant));
  }

  /**
   * The worst breaker state of a provider endpoint over its tenants, e.g. {@code OPEN} when any
   * tenant's breaker is open; {@code CLOSED} when none has called it.
   */
  public CircuitBreaker.State state(final String provider) {
    final Map<String, CircuitBreaker> byTenant = breakersByProvider.getOrDefault(provider, Map.of());
    for (final CircuitBreaker.State state : WORST_FIRST) {
      for (final CircuitBreaker breaker : byTenant.values()) {
        if (breaker.getState() == state) {
          return state;
        }
      }
    }
    return CircuitBreaker.State.CLOSED;
  }

  /** The breaker state of a provider endpoint for one tenant. */
  public CircuitBreaker.State state(final String provider, final String tenant) {
    return breaker(provider, tenant).getState();
  }

  /** The provider's own limiter of a lane (all tenants together). */
  public AsyncLimiter limiter(final ProviderTarget target, final boolean isBatch) {
    return (isBatch ? batch : interactive)
        .computeIfAbsent(
            target.provider(),
            name -> new AsyncLimiter(isBatch ? settings.maxBatchConcurrent() : settings.maxConcurrent()));
  }

  /**
   * One tenant's limiter of a provider's lane; empty when the tenant's share is the whole lane (it
   * could never bind).
   */
  public Optional<AsyncLimiter> tenantLimiter(
      final ProviderTarget target, final String tenant, final boolean isBatch) {
    final int lane = isBatch ? settings.maxBatchConcurrent() : settings.maxConcurrent();
    final int permits =
        isBatch ? settings.maxBatchConcurrentPerTenant() : settings.maxConcurrentPerTenant();
    if (permits >= lane) {
      return Optional.empty();
    }
    return Optional.of(
        (isBatch ? batchByTenant : interactiveByTenant)
            .computeIfAbsent(scoped(target.provider(), tenant), name -> new AsyncLimiter(permits)));
  }

  private CircuitBreaker breaker(final String provider, final String tenant) {
    return breakersByProvider
        .computeIfAbsent(provider, name -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            Objects.requireNonNull(tenant, "tenant"),
            name -> breakers.circuitBreaker(scoped(provider, tenant)));
  }

  /** A provider and tenant as one name (tenant ids are opaque, so a separator cannot clash). */
  private static String scoped(final String provider, final String tenant) {
    return provider + "|" + tenant.length() + ":" + tenant;
  }

  private static ProviderFailure open(final ProviderTarget target, final String tenant) {
    log.debug("circuit open for provider {} and tenant {}; skipping {}", target.provider(), tenant,
        target.catalogueId());
    return ProviderFailure.of(
        ProviderFailure.Kind.CIRCUIT_OPEN,
        "circuit breaker open for provider " + target.provider());
  }

  private static boolean unhealthy(final Throwable error) {
    return error instanceof ProviderFailure failure && UNHEALTHY.contains(failure.kind());
  }
}
