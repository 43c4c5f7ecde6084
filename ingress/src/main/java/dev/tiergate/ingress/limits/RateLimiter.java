package dev.tiergate.ingress.limits;

import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.RateLimits;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.schemas.LimitCounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Admits or refuses requests by the per-key and per-tenant limits: requests per minute and in flight
 * (this instance's own counts plus the other instances' last published ones) and tokens per minute
 * (from usage, which every instance reads). Windows slide by the second over a minute (see {@link
 * LimitWindow}). A refused request counts against nothing.
 */
public final class RateLimiter {

  static final String KEY_SUBJECT = "key:";
  static final String TENANT_SUBJECT = "tenant:";
  private static final long CONCURRENCY_RETRY_MS = 1_000;

  private final TenantLimits tenantLimits;
  private final String instanceId;
  private final Clock clock;
  private final ConcurrentMap<String, LimitSubject> subjects = new ConcurrentHashMap<>();

  public RateLimiter(final TenantLimits tenantLimits, final String instanceId, final Clock clock) {
    this.tenantLimits = Objects.requireNonNull(tenantLimits, "tenantLimits");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String instanceId() {
    return instanceId;
  }

  /** The decision for one request of this caller; an admitted one holds a slot until released. */
  public Admission admit(final Caller caller) {
    Objects.requireNonNull(caller, "caller");
    final RateLimits keyLimits = caller.limits();
    final RateLimits tenantLimit = tenantLimits.of(caller.tenant());
    if (!keyLimits.any() && !tenantLimit.any()) {
      return Admission.UNLIMITED;
    }
    while (true) {
      final LimitSubject key = keyLimits.any() ? subject(KEY_SUBJECT + caller.keyId()) : null;
      final LimitSubject tenant =
          tenantLimit.any() ? subject(TENANT_SUBJECT + caller.tenant()) : null;
      final Admission decided = decideLocked(key, keyLimits, tenant, tenantLimit);
      if (decided != null) {
        return decided;
      }
    }
  }

  /** Locks the key's subject, then the tenant's (always in that order); null to look up again. */
  private Admission decideLocked(
      final LimitSubject key, final RateLimits keyLimits,
      final LimitSubject tenant, final RateLimits tenantLimit) {
    final Object outer = key != null ? key : tenant;
    synchronized (outer) {
      if (key != null && tenant != null) {
        synchronized (tenant) {
          return key.retired() || tenant.retired()
              ? null
              : decide(List.of(new Check(key, keyLimits, "key"),
                  new Check(tenant, tenantLimit, "tenant")));
        }
      }
      return ((LimitSubject) outer).retired()
          ? null
          : decide(List.of(key != null ? new Check(key, keyLimits, "key")
              : new Check(tenant, tenantLimit, "tenant")));
    }
  }

  private record Check(LimitSubject subject, RateLimits limits, String scope) {}

  private Admission decide(final List<Check> checks) {
    final long nowMillis = clock.millis();
    final long nowSecond = Math.floorDiv(nowMillis, 1000);
    final Refusals refusals = new Refusals(nowMillis);
    Admission.Quota requests = null;
    Admission.Quota tokens = null;
    for (final Check check : checks) {
      final RateLimits limits = check.limits();
      final LimitSubject subject = check.subject();
      if (limits.maxConcurrent() > 0 && subject.inFlight(nowMillis) >= limits.maxConcurrent()) {
        refusals.add(() -> refused("requests", "concurrent requests", check.scope(),
            limits.maxConcurrent()), CONCURRENCY_RETRY_MS);
      }
      if (limits.requestsPerMinute() > 0) {
        requests = tighter(requests, refusals.perMinute(subject.requestWindow(nowSecond),
            limits.requestsPerMinute(), "requests", "requests per minute", check.scope()));
      }
      if (limits.tokensPerMinute() > 0) {
        tokens = tighter(tokens, refusals.perMinute(subject.tokenWindow(nowSecond),
            limits.tokensPerMinute(), "tokens", "tokens per minute", check.scope()));
      }
    }
    if (refusals.first != null) {
      return new Admission(
          refusals.first, Duration.ofMillis(refusals.retryMillis), requests, tokens, () -> {});
    }
    for (final Check check : checks) {
      check.subject().admitted(nowSecond);
    }
    return new Admission(null, Duration.ZERO, countedOne(requests, nowMillis), tokens,
        () -> release(checks));
  }

  /** What one decision's checks found: the first limit reached and the longest wait any asks. */
  private static final class Refusals {
    private final long nowMillis;
    private GatewayException first;
    private long retryMillis;

    Refusals(final long nowMillis) {
      this.nowMillis = nowMillis;
    }

    void add(final Supplier<GatewayException> refusal, final long retryAfterMillis) {
      if (first == null) {
        first = refusal.get();
      }
      retryMillis = Math.max(retryMillis, retryAfterMillis);
    }

    /** Checks a per-minute window against its limit (refused when reached); its quota. */
    Admission.Quota perMinute(
        final long[] window, final long limit, final String type, final String what,
        final String scope) {
      final long used = LimitWindow.total(window);
      if (used >= limit) {
        add(() -> refused(type, what, scope, limit),
            LimitWindow.millisUntilFreed(window, used - limit + 1, nowMillis));
      }
      return quota(limit, used, window, nowMillis);
    }
  }

  private static Admission.Quota quota(
      final long limit, final long used, final long[] window, final long nowMillis) {
    return new Admission.Quota(
        limit, Math.max(0, limit - used),
        Duration.ofMillis(LimitWindow.millisUntilEmpty(window, nowMillis)));
  }

  /** The request quota after this request was counted: one fewer left, full again a window later. */
  private static Admission.Quota countedOne(final Admission.Quota quota, final long nowMillis) {
    if (quota == null) {
      return null;
    }
    final long fullAgain = (Math.floorDiv(nowMillis, 1000) + LimitWindow.SECONDS) * 1000 - nowMillis;
    return new Admission.Quota(
        quota.limit(), Math.max(0, quota.remaining() - 1), Duration.ofMillis(fullAgain));
  }

  /** The quota with less left (the one the caller runs into first). */
  private static Admission.Quota tighter(final Admission.Quota current, final Admission.Quota next) {
    return current == null || next.remaining() < current.remaining() ? next : current;
  }

  private static GatewayException refused(
      final String type, final String what, final String scope, final long limit) {
    return new GatewayException(
        429, type, "rate_limit_exceeded", null,
        "Rate limit reached for " + what + " on this " + scope + " (limit " + limit
            + "). Retry after the time in the Retry-After header.");
  }

  private void release(final List<Check> checks) {
    for (final Check check : checks) {
      synchronized (check.subject()) {
        check.subject().released();
      }
    }
  }

  /** Adds a request's tokens (input + output), as usage reported them, to its key and tenant. */
  public void recordUsage(
      final String keyId, final String tenant, final long tokens, final Instant occurredAt) {
    final long second = Math.floorDiv(occurredAt.toEpochMilli(), 1000);
    if (tokens <= 0 || second < LimitWindow.oldestLive(Math.floorDiv(clock.millis(), 1000))) {
      return;
    }
    if (keyId != null) {
      addTokens(KEY_SUBJECT + keyId, second, tokens);
    }
    if (tenant != null) {
      addTokens(TENANT_SUBJECT + tenant, second, tokens);
    }
  }

  private void addTokens(final String id, final long second, final long tokens) {
    while (true) {
      final LimitSubject subject = subject(id);
      synchronized (subject) {
        if (!subject.retired()) {
          subject.addTokens(second, tokens);
          return;
        }
      }
    }
  }

  /** Another instance's counts; this instance's own are ignored. */
  public void peerCounts(final LimitCounts counts) {
    if (instanceId.equals(counts.getInstanceId())) {
      return;
    }
    while (true) {
      final LimitSubject subject = subject(counts.getSubject());
      synchronized (subject) {
        if (!subject.retired()) {
          subject.peer(counts);
          return;
        }
      }
    }
  }

  /**
   * This instance's counts that changed since the last call (or have requests in flight and are
   * due a heartbeat), to publish; drops subjects in which nothing counts any more.
   */
  public List<LimitCounts> countsToPublish() {
    final long nowMillis = clock.millis();
    final List<LimitCounts> changed = new ArrayList<>();
    for (final LimitSubject subject : subjects.values()) {
      synchronized (subject) {
        final LimitCounts counts = subject.toPublish(instanceId, nowMillis);
        if (counts != null) {
          changed.add(counts);
        }
        if (subject.retireIfIdle(nowMillis)) {
          subjects.remove(subject.id(), subject);
        }
      }
    }
    return changed;
  }

  /** Publishes the subject's counts again at the next interval (its last publication failed). */
  void republish(final String subjectId) {
    final LimitSubject subject = subjects.get(subjectId);
    if (subject != null) {
      synchronized (subject) {
        subject.markChanged();
      }
    }
  }

  /** Subjects tracked right now (for tests and metrics). */
  int subjectCount() {
    return subjects.size();
  }

  private LimitSubject subject(final String id) {
    return subjects.computeIfAbsent(id, LimitSubject::new);
  }
}
