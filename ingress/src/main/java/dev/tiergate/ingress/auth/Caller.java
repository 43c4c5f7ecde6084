package dev.tiergate.ingress.auth;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.Tier;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, as resolved from a virtual key: the tenant the spend is booked to, the tier used
 * when the caller asks for plain {@code auto}, the tiers the key may use at all, the explicit models
 * it may name beyond those tiers' chains, the key's id (its hash prefix) and the key's own rate
 * limits, and the key's cost-quality knob (the share of requests without a mode the predictor may
 * send to the frontier tier; null: the shipped share). Holds no key material.
 */
@EntryPoint
public record Caller(
    String tenant, Tier defaultTier, Set<Tier> allowedTiers, Set<String> allowedModels,
    String keyId, RateLimits limits, Double strongShare) {

  /** The key id of requests sent without a key. */
  public static final String ANONYMOUS_KEY_ID = "anonymous";

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(defaultTier, "defaultTier");
    Objects.requireNonNull(allowedTiers, "allowedTiers");
    Objects.requireNonNull(allowedModels, "allowedModels");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(limits, "limits");
    if (strongShare != null && !(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("strong share must be between 0 and 1");
    }
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
    allowedTiers =
        allowedTiers.isEmpty()
            ? Set.copyOf(EnumSet.allOf(Tier.class))
            : Set.copyOf(EnumSet.copyOf(allowedTiers));
    allowedModels = Set.copyOf(allowedModels);
    if (!allowedTiers.contains(defaultTier)) {
      throw new IllegalArgumentException("the default tier must be one of the allowed tiers");
    }
  }

  /** A caller whose key leaves the cost-quality knob at the shipped share. */
  public Caller(
      final String tenant, final Tier defaultTier, final Set<Tier> allowedTiers,
      final Set<String> allowedModels, final String keyId, final RateLimits limits) {
    this(tenant, defaultTier, allowedTiers, allowedModels, keyId, limits, null);
  }

  /** A caller whose key has no rate limits of its own. */
  public Caller(
      final String tenant, final Tier defaultTier, final Set<Tier> allowedTiers,
      final Set<String> allowedModels, final String keyId) {
    this(tenant, defaultTier, allowedTiers, allowedModels, keyId, RateLimits.NONE);
  }

  /** A caller limited to some tiers, with no model allow-list and no key id. */
  public Caller(final String tenant, final Tier defaultTier, final Set<Tier> allowedTiers) {
    this(tenant, defaultTier, allowedTiers, Set.of(), ANONYMOUS_KEY_ID);
  }

  /** A caller that may use every tier. */
  public Caller(final String tenant, final Tier defaultTier) {
    this(tenant, defaultTier, Set.of());
  }

  /** Whether the key may send requests to the tier. */
  public boolean allows(final Tier tier) {
    return allowedTiers.contains(Objects.requireNonNull(tier, "tier"));
  }

  /** The allowed tiers' ids, for the request record (the router checks explicit models by them). */
  public java.util.List<String> allowedTierIds() {
    return allowedTiers.stream().map(Tier::id).sorted().toList();
  }
}
