package dev.tiergate.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.RateLimits;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.LimitCounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00.250Z");

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = START;

    void advance(final Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final java.time.ZoneId zone) {
      return this;
    }
  }

  private final ManualClock clock = new ManualClock();

  private static Caller caller(final String keyId, final RateLimits limits) {
    return new Caller("acme", Tier.SMALL, Set.of(), Set.of(), keyId, limits);
  }

  @Test
  void admitsUpToTheRequestLimitThenRefusesWithRetryAfter() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final Caller caller = caller("key_a", new RateLimits(3, 0, 0));
    for (int i = 0; i < 3; i++) {
      final Admission admission = limiter.admit(caller);
      assertThat(admission.admitted()).isTrue();
      assertThat(admission.requests().remaining()).isEqualTo(2 - i);
      admission.release();
      clock.advance(Duration.ofSeconds(10));
    }
    final Admission refused = limiter.admit(caller);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusal().httpStatus()).isEqualTo(429);
    assertThat(refused.refusal().code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.requests().remaining()).isZero();
    // The first request (second 0) leaves the window at second 61; it is now 30.25 s.
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(30_750));
    clock.advance(Duration.ofMillis(30_750));
    assertThat(limiter.admit(caller).admitted()).isTrue();
  }

  @Test
  void noSixtySecondIntervalHoldsMoreThanTheLimit() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final Caller caller = caller("key_a", new RateLimits(60, 0, 0));
    final java.util.ArrayList<Long> admittedAt = new java.util.ArrayList<>();
    for (int step = 0; step < 3_000; step++) {
      final Admission admission = limiter.admit(caller);
      if (admission.admitted()) {
        admittedAt.add(clock.millis());
        admission.release();
      }
      clock.advance(Duration.ofMillis(97));
    }
    for (int i = 0; i + 60 < admittedAt.size(); i++) {
      assertThat(admittedAt.get(i + 60) - admittedAt.get(i)).isGreaterThanOrEqualTo(60_000);
    }
    assertThat(admittedAt.size()).isGreaterThan(240); // ~290 s of traffic: about 4.8 windows
  }

  @Test
  void refusesTheRequestOverTheConcurrencyLimitUntilOneEnds() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final Caller caller = caller("key_a", new RateLimits(0, 0, 2));
    final Admission first = limiter.admit(caller);
    final Admission second = limiter.admit(caller);
    final Admission third = limiter.admit(caller);
    assertThat(List.of(first.admitted(), second.admitted(), third.admitted()))
        .containsExactly(true, true, false);
    assertThat(third.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    first.release();
    first.release(); // idempotent: frees one slot only
    assertThat(limiter.admit(caller).admitted()).isTrue();
    assertThat(limiter.admit(caller).admitted()).isFalse();
  }

  @Test
  void tokenLimitCountsUsageOfTheKeyAndReportsRemainingTokens() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final Caller caller = caller("key_a", new RateLimits(0, 1_000, 0));
    assertThat(limiter.admit(caller).tokens().remaining()).isEqualTo(1_000);
    limiter.recordUsage("key_a", "acme", 400, clock.instant());
    limiter.recordUsage("key_other", "acme", 5_000, clock.instant());
    assertThat(limiter.admit(caller).tokens().remaining()).isEqualTo(600);
    limiter.recordUsage("key_a", "acme", 700, clock.instant());
    final Admission refused = limiter.admit(caller);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusal().type()).isEqualTo("tokens");
    assertThat(refused.tokens().remaining()).isZero();
    clock.advance(refused.retryAfter());
    assertThat(limiter.admit(caller).admitted()).isTrue();
  }

  @Test
  void tenantLimitCoversAllItsKeysAndARefusalCountsAgainstNeither() {
    final RateLimiter limiter =
        new RateLimiter(TenantLimits.parse("acme;rpm=2"), "i1", clock);
    final Caller a = caller("key_a", new RateLimits(10, 0, 0));
    final Caller b = caller("key_b", RateLimits.NONE);
    assertThat(limiter.admit(a).admitted()).isTrue();
    assertThat(limiter.admit(b).admitted()).isTrue();
    final Admission refused = limiter.admit(a);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusal().getMessage()).contains("tenant");
    // Reported: the tighter of the two request quotas (the tenant's, none left).
    assertThat(refused.requests().limit()).isEqualTo(2);
    final RateLimiter other = new RateLimiter(TenantLimits.NONE, "i1", clock);
    assertThat(other.admit(b)).isSameAs(Admission.UNLIMITED);
  }

  @Test
  void countsPublishedByAnotherInstanceCountHere() {
    final RateLimiter one = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final RateLimiter two = new RateLimiter(TenantLimits.NONE, "i2", clock);
    final Caller caller = caller("key_a", new RateLimits(4, 0, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(one.admit(caller).admitted()).isTrue();
    }
    final List<LimitCounts> published = one.countsToPublish();
    assertThat(published).hasSize(1);
    assertThat(one.countsToPublish()).as("nothing changed since").isEmpty();
    published.forEach(two::peerCounts);
    published.forEach(one::peerCounts); // an instance ignores its own counts
    // Three in flight at one: two refuses on concurrency; one sees only its own three.
    assertThat(two.admit(caller).admitted()).isFalse();
    assertThat(one.admit(caller).admitted()).isFalse();
  }

  @Test
  void countsWhosePublicationFailedArePublishedAgain() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    limiter.admit(caller("key_a", new RateLimits(5, 0, 0))).release();
    final List<LimitCounts> first = limiter.countsToPublish();
    assertThat(limiter.countsToPublish()).isEmpty();
    limiter.republish(first.get(0).getSubject());
    assertThat(limiter.countsToPublish()).extracting(LimitCounts::getRequests)
        .containsExactly(first.get(0).getRequests());
  }

  @Test
  void anotherInstancesInFlightCountExpiresWithoutHeartbeat() {
    final RateLimiter one = new RateLimiter(TenantLimits.NONE, "i1", clock);
    final RateLimiter two = new RateLimiter(TenantLimits.NONE, "i2", clock);
    final Caller caller = caller("key_a", new RateLimits(0, 0, 1));
    assertThat(one.admit(caller).admitted()).isTrue();
    one.countsToPublish().forEach(two::peerCounts);
    assertThat(two.admit(caller).admitted()).isFalse();
    clock.advance(Duration.ofMillis(LimitSubject.PEER_IN_FLIGHT_TTL_MS + 1));
    assertThat(two.admit(caller).admitted()).as("instance one went silent").isTrue();
  }

  @Test
  void idleSubjectsAreDropped() {
    final RateLimiter limiter = new RateLimiter(TenantLimits.NONE, "i1", clock);
    limiter.admit(caller("key_a", new RateLimits(5, 0, 0))).release();
    limiter.recordUsage("key_b", "acme", 10, clock.instant());
    limiter.countsToPublish();
    assertThat(limiter.subjectCount()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(62));
    limiter.countsToPublish();
    assertThat(limiter.subjectCount()).isZero();
    assertThat(limiter.admit(caller("key_a", new RateLimits(5, 0, 0))).requests().remaining())
        .isEqualTo(4);
  }

  @Test
  void headerFormatsFollowOpenAiAndAnthropic() {
    assertThat(RateLimitHeaders.goDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(1_500))).isEqualTo("1.5s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(60_500))).isEqualTo("1m0.5s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMinutes(6))).isEqualTo("6m0s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(RateLimitHeaders.rfc3339(Instant.parse("2026-01-01T00:00:59.001Z")))
        .isEqualTo("2026-01-01T00:01:00Z");
    assertThat(RateLimitHeaders.retryAfterSeconds(Duration.ofMillis(30_001))).isEqualTo(31);
    assertThat(RateLimitHeaders.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
  }
}
