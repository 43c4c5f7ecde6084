package dev.tiergate.ingress.limits;

import dev.tiergate.ingress.auth.RateLimits;
import dev.tiergate.ingress.auth.SpecAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Rate limits per tenant, shared by all of a tenant's keys, from {@code TIERGATE_TENANT_LIMITS}:
 * {@code acme;rpm=600;tpm=1000000;concurrent=20,beta;rpm=60}. A tenant not listed has no tenant
 * limit (its keys' own limits still apply). Every ingress instance must be given the same spec.
 */
public final class TenantLimits {

  /** No tenant limits. */
  public static final TenantLimits NONE = new TenantLimits(Map.of());

  private static final Set<String> ATTRIBUTES =
      Set.of(SpecAttributes.RPM, SpecAttributes.TPM, SpecAttributes.CONCURRENT);

  private final Map<String, RateLimits> byTenant;

  private TenantLimits(final Map<String, RateLimits> byTenant) {
    this.byTenant = Map.copyOf(byTenant);
  }

  /** Parses the spec; blank means none. Fails fast on a malformed entry, naming its position. */
  public static TenantLimits parse(final String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    final Map<String, RateLimits> table = new HashMap<>();
    final String[] entries = spec.split(",");
    for (int i = 0; i < entries.length; i++) {
      final String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      final int index = i;
      final String[] parts = entry.split(";");
      final String tenant = parts[0].trim();
      if (tenant.isEmpty() || tenant.contains("=")) {
        throw malformed(index, "expected tenant;rpm=N;tpm=N;concurrent=N");
      }
      final RateLimits limits =
          SpecAttributes.parse(
                  Arrays.copyOfRange(parts, 1, parts.length), ATTRIBUTES, why -> malformed(index, why))
              .limits(why -> malformed(index, why));
      if (table.put(tenant, limits) != null) {
        throw malformed(index, "tenant listed twice");
      }
    }
    return new TenantLimits(table);
  }

  private static IllegalArgumentException malformed(final int index, final String why) {
    return new IllegalArgumentException("tenant limit entry #" + (index + 1) + ": " + why);
  }

  /** The tenant's limits; {@link RateLimits#NONE} when it has none. */
  public RateLimits of(final String tenant) {
    return byTenant.getOrDefault(Objects.requireNonNull(tenant, "tenant"), RateLimits.NONE);
  }

  public boolean isEmpty() {
    return byTenant.isEmpty();
  }

  @Override
  public String toString() {
    return "TenantLimits" + byTenant;
  }
}
