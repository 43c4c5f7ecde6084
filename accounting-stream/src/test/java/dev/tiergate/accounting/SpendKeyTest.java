package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpendKeyTest {

  @Test
  void encodesPartsInPrefixOrder() {
    final SpendKey key =
        new SpendKey("acme", SpendDimension.MODE, SpendWindow.TOTAL, Instant.EPOCH, "plan");

    assertThat(key.encode()).isEqualTo("acme|mode|total|1970-01-01T00:00:00Z|plan");
    assertThat(key.encode())
        .startsWith(SpendKey.prefix("acme", SpendDimension.MODE, SpendWindow.TOTAL, Instant.EPOCH));
  }

  @Test
  void escapesSeparatorsSoOneTenantNeverMatchesAnothersPrefix() {
    final SpendKey sneaky =
        new SpendKey("a|mode|total", SpendDimension.MODE, SpendWindow.TOTAL, Instant.EPOCH, "x");
    final String tenantA =
        SpendKey.prefix("a", SpendDimension.MODE, SpendWindow.TOTAL, Instant.EPOCH);

    assertThat(sneaky.encode()).doesNotStartWith(tenantA);
    assertThat(sneaky.encode()).startsWith("a%7Cmode%7Ctotal|");
    assertThat(SpendKey.escape("100%|")).isEqualTo("100%25%7C");
  }
}
