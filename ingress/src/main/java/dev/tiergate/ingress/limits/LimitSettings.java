package dev.tiergate.ingress.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * How the ingress applies rate limits beyond each key's own: the per-tenant limits, and how often
 * each instance publishes its counts to the others (the staleness that bounds the overshoot across
 * instances).
 */
public record LimitSettings(TenantLimits tenants, Duration syncInterval) {

  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(200);
  public static final LimitSettings DEFAULTS =
      new LimitSettings(TenantLimits.NONE, DEFAULT_SYNC_INTERVAL);

  public LimitSettings {
    Objects.requireNonNull(tenants, "tenants");
    Objects.requireNonNull(syncInterval, "syncInterval");
    if (syncInterval.toMillis() < 1) {
      throw new IllegalArgumentException("the sync interval must be at least 1 ms: " + syncInterval);
    }
  }
}
