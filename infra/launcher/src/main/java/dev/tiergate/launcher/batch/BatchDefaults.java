package dev.tiergate.launcher.batch;

import dev.tiergate.runtime.Tier;
import java.util.Locale;
import java.util.Objects;

/**
 * What a batch's items get unless a line says otherwise: the tenant the spend is booked to, and the
 * default mode, tier and feature.
 *
 * @param mode null for none (the routing table's tier default applies)
 * @param feature null for none
 */
public record BatchDefaults(String tenant, String mode, Tier tier, String feature) {

  public static final String DEFAULT_TENANT = "demo";

  public BatchDefaults {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(tier, "tier");
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
    mode = mode == null || mode.isBlank() ? null : mode.trim().toLowerCase(Locale.ROOT);
    feature = feature == null || feature.isBlank() ? null : feature.trim();
  }

  /** The demo tenant, balanced tier, no mode or feature. */
  public static BatchDefaults of(final String tenant) {
    return new BatchDefaults(tenant, null, Tier.BALANCED, null);
  }
}
