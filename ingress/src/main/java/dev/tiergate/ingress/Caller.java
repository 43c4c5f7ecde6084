package dev.tiergate.ingress;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, as resolved from a virtual key: the tenant the spend is booked to, the tier used
 * when the caller asks for plain {@code auto}, and the tiers the key may use at all. Holds no key
 * material.
 */
public record Caller(String tenant, Tier defaultTier, Set<Tier> allowedTiers) {

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(defaultTier, "defaultTier");
    Objects.requireNonNull(allowedTiers, "allowedTiers");
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
    allowedTiers =
        allowedTiers.isEmpty()
            ? Set.copyOf(EnumSet.allOf(Tier.class))
            : Set.copyOf(EnumSet.copyOf(allowedTiers));
    if (!allowedTiers.contains(defaultTier)) {
      throw new IllegalArgumentException("the default tier must be one of the allowed tiers");
    }
  }

  /** A caller that may use every tier. */
  public Caller(final String tenant, final Tier defaultTier) {
    this(tenant, defaultTier, Set.of());
  }

  /** Whether the key may send requests to the tier. */
  public boolean allows(final Tier tier) {
    return allowedTiers.contains(Objects.requireNonNull(tier, "tier"));
  }
}
