package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VirtualKeyTableAttributesTest {

  @Test
  void readsTheTenantOfKeysWithTheIngressAttributes() {
    final VirtualKeyTable keys =
        VirtualKeyTable.of("k1=acme:small;tiers=small|free;rpm=60;tpm=1000,k2=beta:balanced", hash -> null);
    assertThat(keys.tenant("k1")).contains("acme");
    assertThat(keys.tenant("k2")).contains("beta");
  }
}
