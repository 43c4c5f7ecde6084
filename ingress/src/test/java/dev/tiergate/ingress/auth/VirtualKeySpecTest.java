package dev.tiergate.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.ingress.limits.TenantLimits;
import dev.tiergate.runtime.Tier;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VirtualKeySpecTest {

  @Test
  void attributesSetTiersModelsAndLimits() {
    final Caller caller =
        VirtualKeys.parse(
                "k1=acme:small;tiers=small|free;models=openai/gpt-4.1-mini|local/llama;rpm=60;"
                    + "tpm=100000;concurrent=4")
            .authenticate("k1")
            .orElseThrow();
    assertThat(caller.tenant()).isEqualTo("acme");
    assertThat(caller.allowedTiers()).containsExactlyInAnyOrder(Tier.SMALL, Tier.FREE);
    assertThat(caller.allowedModels()).isEqualTo(Set.of("openai/gpt-4.1-mini", "local/llama"));
    assertThat(caller.limits()).isEqualTo(new RateLimits(60, 100_000, 4));
  }

  @Test
  void theOldFormStillParsesWithNoLimits() {
    final VirtualKeys keys = VirtualKeys.parse("a=t1:balanced,b=t2:small;rpm=5");
    assertThat(keys.authenticate("a").orElseThrow().limits()).isEqualTo(RateLimits.NONE);
    assertThat(keys.authenticate("a").orElseThrow().allowedTiers()).hasSize(Tier.values().length);
    assertThat(keys.authenticate("b").orElseThrow().limits()).isEqualTo(new RateLimits(5, 0, 0));
  }

  @Test
  void malformedAttributesFailWithoutShowingTheKey() {
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key=t:small;rpm=-1"))
        .hasMessageContaining("rpm").hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key=t:small;rpm=lots"))
        .hasMessageContaining("rpm").hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key=t:small;colour=blue"))
        .hasMessageContaining("colour").hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key=t:frontier;tiers=small"))
        .hasMessageContaining("default tier").hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> VirtualKeys.parse("ok=t:small,secret-key=t:small;secret-key"))
        .hasMessageContaining("#2").hasMessageNotContaining("secret-key");
  }

  @Test
  void tenantLimitsParseAndDefaultToNone() {
    final TenantLimits limits = TenantLimits.parse("acme;rpm=600;tpm=1000000;concurrent=20, beta;rpm=60");
    assertThat(limits.of("acme")).isEqualTo(new RateLimits(600, 1_000_000, 20));
    assertThat(limits.of("beta")).isEqualTo(new RateLimits(60, 0, 0));
    assertThat(limits.of("gamma")).isEqualTo(RateLimits.NONE);
    assertThat(TenantLimits.parse(" ").isEmpty()).isTrue();
    assertThatThrownBy(() -> TenantLimits.parse("acme;rpm=1,acme;rpm=2"))
        .hasMessageContaining("twice");
  }
}
