package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class AsyncLimiterTest {

  @Test
  void runsAtMostThePermittedCallsAndStartsTheNextWhenOneEnds() {
    final AsyncLimiter limiter = new AsyncLimiter(2);
    final AtomicInteger started = new AtomicInteger();
    final List<Sinks.Empty<Void>> gates = new ArrayList<>();
    final List<Disposable> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      final Sinks.Empty<Void> gate = Sinks.empty();
      gates.add(gate);
      calls.add(limiter.withPermit(() -> {
        started.incrementAndGet();
        return gate.asMono();
      }).subscribe());
    }

    assertThat(started).hasValue(2);
    assertThat(limiter.waiting()).isEqualTo(3);
    gates.get(0).tryEmitEmpty();
    await().until(() -> started.get() == 3);
    assertThat(limiter.inUse()).isEqualTo(2);
    calls.forEach(Disposable::dispose);
  }

  @Test
  void aCancelledWaiterOrCallGivesItsPermitBack() {
    final AsyncLimiter limiter = new AsyncLimiter(1);
    final Disposable holder = limiter.withPermit(Mono::never).subscribe();
    final Disposable waiter = limiter.withPermit(() -> Mono.just(1)).subscribe();
    assertThat(limiter.waiting()).isEqualTo(1);

    waiter.dispose();
    assertThat(limiter.waiting()).isZero();
    holder.dispose();

    assertThat(limiter.inUse()).isZero();
    assertThat(limiter.withPermit(() -> Mono.just(7)).block()).isEqualTo(7);
    assertThat(limiter.inUse()).isZero();
  }

  @Test
  void aFailedCallReleasesItsPermit() {
    final AsyncLimiter limiter = new AsyncLimiter(1);

    limiter.withPermit(() -> Mono.error(new IllegalStateException("boom"))).onErrorResume(e -> Mono.empty()).block();

    assertThat(limiter.inUse()).isZero();
  }
}
