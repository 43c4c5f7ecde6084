package dev.tiergate.ingress;

import java.util.Objects;

/**
 * Who is calling, as resolved from a virtual key: the tenant the spend is booked to and the tier used
 * when the caller asks for plain {@code auto}. Holds no key material.
 */
public record Caller(String tenant, Tier defaultTier) {

  public Caller {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(defaultTier, "defaultTier");
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
  }
}
