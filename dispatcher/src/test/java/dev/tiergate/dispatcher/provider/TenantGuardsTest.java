package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Breakers and concurrency per provider and tenant: one tenant's trouble stays its own. */
class TenantGuardsTest {

  private final ProviderTarget target =
      new Providers(
              List.of(new ProviderEndpoint("openai", URI.create("http://127.0.0.1:1/v1"), Optional.empty(), ProviderFormat.OPENAI)),
              new ObjectMapper())
          .resolve("openai/gpt-5")
          .orElseThrow();

  @Test
  void oneTenantsTimeoutsDoNotOpenAnotherTenantsBreaker() {
    final ProviderGuards guards =
        new ProviderGuards(new GuardSettings(8, 2, 50f, 4, 4, Duration.ofMinutes(5), 4));
    final AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      guards
          .stream(target, "slow-tenant", false,
              () -> Mono.fromRunnable(calls::incrementAndGet)
                  .then(Mono.error(ProviderFailure.of(ProviderFailure.Kind.TIMEOUT, "timed out")))
                  .flux())
          .onErrorResume(ProviderFailure.class, f -> Flux.empty())
          .blockLast();
    }

    assertThat(guards.state("openai", "slow-tenant")).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(guards.state("openai", "other-tenant")).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(guards.stream(target, "other-tenant", false, () -> Flux.just("served")).blockLast())
        .isEqualTo("served");
    assertThat(guards.state("openai")).as("the provider's worst tenant state")
        .isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void oneTenantCannotTakeEveryProviderSlot() {
    final ProviderGuards guards =
        new ProviderGuards(new GuardSettings(3, 2, 50f, 10, 10, Duration.ofSeconds(1), 2));
    for (int i = 0; i < 5; i++) {
      guards.stream(target, "greedy", false, Flux::never).subscribe();
    }

    assertThat(guards.tenantLimiter(target, "greedy", false).orElseThrow().inUse()).isEqualTo(2);
    assertThat(guards.tenantLimiter(target, "greedy", false).orElseThrow().waiting()).isEqualTo(3);
    assertThat(guards.limiter(target, false).inUse()).isEqualTo(2);
    assertThat(guards.stream(target, "modest", false, () -> Flux.just("served")).blockLast())
        .isEqualTo("served");
  }

  @Test
  void aTenantGetsItsShareOfTheBatchBudgetToo() {
    final GuardSettings settings = new GuardSettings(512, 64, 50f, 20, 10, Duration.ofSeconds(30), 256);
    assertThat(settings.maxBatchConcurrentPerTenant()).isEqualTo(32);
    assertThat(GuardSettings.defaults()).isEqualTo(settings);
    assertThat(new GuardSettings(4, 2, 50f, 4, 4, Duration.ofMinutes(5)).maxBatchConcurrentPerTenant())
        .as("no tenant share configured: the whole lane").isEqualTo(2);
  }
}
