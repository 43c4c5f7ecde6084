package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(2, Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(5));

  @Test
  void retriesServerErrorsWithJitteredExponentialBackoff() {
    final ProviderFailure failure = ProviderFailure.forStatus(503, Optional.empty(), "busy");

    assertThat(policy.delayBeforeRetry(failure, 0)).hasValueSatisfying(
        d -> assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofMillis(100)));
    assertThat(policy.delayBeforeRetry(failure, 1)).hasValueSatisfying(
        d -> assertThat(d).isBetween(Duration.ofMillis(100), Duration.ofMillis(200)));
    assertThat(policy.delayBeforeRetry(failure, 2)).isEmpty();
  }

  @Test
  void honoursRetryAfterUpToTheCap() {
    final ProviderFailure soon = ProviderFailure.forStatus(429, Optional.of(Duration.ofSeconds(2)), "slow down");
    final ProviderFailure late = ProviderFailure.forStatus(429, Optional.of(Duration.ofSeconds(60)), "slow down");

    assertThat(policy.delayBeforeRetry(soon, 0)).contains(Duration.ofSeconds(2));
    assertThat(policy.delayBeforeRetry(late, 0)).isEmpty();
  }

  @Test
  void neverRetriesRejectedRequestsOrTimeouts() {
    assertThat(policy.delayBeforeRetry(ProviderFailure.forStatus(400, Optional.empty(), "bad"), 0)).isEmpty();
    assertThat(policy.delayBeforeRetry(ProviderFailure.of(ProviderFailure.Kind.TIMEOUT, "slow"), 0)).isEmpty();
  }

  @Test
  void readsRetryAfterAsSecondsOrHttpDate() {
    final Instant now = Instant.parse("2025-06-01T10:00:00Z");

    assertThat(RetryAfter.parseRetryAfter("1.5", now)).contains(Duration.ofMillis(1500));
    assertThat(RetryAfter.parseRetryAfter("Sun, 01 Jun 2025 10:00:07 GMT", now)).contains(Duration.ofSeconds(7));
    assertThat(RetryAfter.parseRetryAfter("soon", now)).isEmpty();
  }
}
