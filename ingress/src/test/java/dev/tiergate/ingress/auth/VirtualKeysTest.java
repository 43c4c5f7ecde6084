package dev.tiergate.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualKeysTest {

  private final VirtualKeys keys = VirtualKeys.parse("key1=tenantA:balanced, key2=tenantB:frontier");

  @Test
  void resolvesKeysToTenantAndDefaultTier() {
    assertThat(keys.authenticate("key1")).map(c -> c.tenant() + ":" + c.defaultTier())
        .contains("tenantA:BALANCED");
    assertThat(keys.authenticate("key2")).map(c -> c.tenant() + ":" + c.defaultTier())
        .contains("tenantB:FRONTIER");
    assertThat(keys.authenticate("key1")).map(Caller::keyId)
        .contains(VirtualKeys.keyId(VirtualKeys.hash("key1")));
    assertThat(keys.size()).isEqualTo(2);
  }

  @Test
  void acceptsBearerAuthorizationOrApiKeyHeader() {
    assertThat(keys.authenticate(Map.of("authorization", "Bearer key2")::get))
        .map(Caller::tenant).contains("tenantB");
    assertThat(keys.authenticate(Map.of("authorization", "bearer key2")::get))
        .map(Caller::tenant).contains("tenantB");
    assertThat(keys.authenticate(Map.of("x-api-key", "key1")::get))
        .map(Caller::tenant).contains("tenantA");
  }

  @Test
  void rejectsMissingAndUnknownKeys() {
    assertThat(keys.authenticate(name -> null)).isEmpty();
    assertThat(keys.authenticate(Map.of("authorization", "Bearer nope")::get)).isEmpty();
    assertThat(keys.authenticate(Map.of("authorization", "Basic a2V5MQ==")::get)).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
  }

  @Test
  void keyIdNamesTheKeyWithoutRevealingIt() {
    final String id = keys.authenticate("key1").orElseThrow().keyId();
    assertThat(id).startsWith("key_").hasSize("key_".length() + 12).doesNotContain("key1");
    assertThat(id).isNotEqualTo(keys.authenticate("key2").orElseThrow().keyId());
  }

  @Test
  void neverShowsKeysInTextOrErrors() {
    assertThat(keys.toString()).doesNotContain("key1").doesNotContain("key2");
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key=tenant:gigantic"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret-key");
    assertThatThrownBy(() -> VirtualKeys.parse("secret-key-without-tenant"))
        .hasMessageNotContaining("secret-key");
  }

  @Test
  void defaultTableHasTheDemoKey() {
    assertThat(VirtualKeys.parse(VirtualKeys.DEFAULT_SPEC).authenticate("tg-demo-key"))
        .map(c -> c.tenant() + ":" + c.defaultTier()).contains("demo:BALANCED");
  }
}
