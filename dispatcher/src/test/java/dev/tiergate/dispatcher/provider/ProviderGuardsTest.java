package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class ProviderGuardsTest {

  private final ProviderTarget target =
      new Providers(
              List.of(new ProviderEndpoint("openai", URI.create("http://127.0.0.1:1/v1"), Optional.empty(), ProviderFormat.OPENAI)),
              new ObjectMapper())
          .resolve("openai/gpt-5")
          .orElseThrow();

  @Test
  void opensTheBreakerAfterServerErrorsAndThenFailsFastWithoutCalling() {
    final ProviderGuards guards = new ProviderGuards(new GuardSettings(4, 2, 50f, 4, 4, Duration.ofMinutes(5)));
    final AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      call(guards, calls, ProviderFailure.forStatus(500, Optional.empty(), "down"));
    }

    assertThat(guards.state("openai")).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> guards.stream(target, false, () -> Mono.fromCallable(calls::incrementAndGet).flux()).blockLast())
        .isInstanceOfSatisfying(
            ProviderFailure.class, f -> assertThat(f.kind()).isEqualTo(ProviderFailure.Kind.CIRCUIT_OPEN));
    assertThat(calls).hasValue(4);
  }

  @Test
  void rateLimitsAndRejectionsDoNotOpenTheBreaker() {
    final ProviderGuards guards = new ProviderGuards(new GuardSettings(4, 2, 50f, 4, 4, Duration.ofMinutes(5)));
    final AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      call(guards, calls, ProviderFailure.forStatus(i % 2 == 0 ? 429 : 400, Optional.empty(), "no"));
    }

    assertThat(guards.state("openai")).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void batchCallsHaveTheirOwnBudget() {
    final ProviderGuards guards = new ProviderGuards(new GuardSettings(3, 1, 50f, 10, 10, Duration.ofSeconds(1)));
    guards.stream(target, true, Flux::never).subscribe();
    guards.stream(target, true, Flux::never).subscribe();

    assertThat(guards.limiter(target, true).inUse()).isEqualTo(1);
    assertThat(guards.limiter(target, true).waiting()).isEqualTo(1);
    assertThat(guards.stream(target, false, () -> Flux.just("interactive")).blockLast()).isEqualTo("interactive");
  }

  private void call(final ProviderGuards guards, final AtomicInteger calls, final ProviderFailure failure) {
    guards
        .stream(target, false, () -> Mono.fromRunnable(calls::incrementAndGet).then(Mono.error(failure)).flux())
        .onErrorResume(ProviderFailure.class, f -> Flux.empty())
        .blockLast();
  }
}
