package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {

  private final Providers providers =
      new Providers(
          List.of(
              new ProviderEndpoint(
                  "anthropic", URI.create("http://127.0.0.1:1/v1"), Optional.of("sk-platform"), ProviderFormat.ANTHROPIC),
              new ProviderEndpoint("local", URI.create("http://127.0.0.1:1/v1"), Optional.empty(), ProviderFormat.OPENAI)),
          new ObjectMapper());
  private final ProviderTarget anthropic = providers.resolve("anthropic/claude-sonnet-4-5").orElseThrow();
  private final ProviderTarget local = providers.resolve("local/llama-3.1-8b").orElseThrow();

  private final KeyStore keys =
      KeyStore.of(Map.of("tenant.acme/anthropic", "sk-acme", "kref_team/anthropic", "sk-team", "kref_team/openai", "sk-x"));

  @Test
  void prefersTheKeyRefThenTheTenantThenThePlatformKey() {
    assertThat(keys.resolve("acme", "kref_team", anthropic)).contains(ApiKey.of("sk-team"));
    assertThat(keys.resolve("acme", null, anthropic)).contains(ApiKey.of("sk-acme"));
    assertThat(keys.resolve("globex", null, anthropic)).contains(ApiKey.of("sk-platform"));
    assertThat(keys.resolve("globex", null, local)).isEmpty();
  }

  @Test
  void aKeyRefWithNoKeyForThisProviderFallsBackToTheTenantsKey() {
    assertThat(keys.resolve("acme", "kref_team", local)).isEmpty();
    assertThat(KeyStore.of(Map.of("kref_team/openai", "sk-x", "tenant.acme/local", "sk-local")).resolve("acme", "kref_team", local))
        .contains(ApiKey.of("sk-local"));
  }

  @Test
  void tenantsAndKeyReferencesNeverShareANamespace() {
    // A tenant named like a key reference does not get that reference's key, and the reverse.
    assertThat(keys.resolve("kref_team", null, anthropic)).contains(ApiKey.of("sk-platform"));
    assertThatThrownBy(() -> keys.resolve("globex", "acme", anthropic))
        .isInstanceOf(ProviderFailure.class);
  }

  @Test
  void tenantIdsAreCaseSensitive() {
    assertThat(keys.resolve("ACME", null, anthropic)).contains(ApiKey.of("sk-platform"));
    assertThat(keys.resolve("acme", null, anthropic)).contains(ApiKey.of("sk-acme"));
  }

  @Test
  void aByokOnlyTenantNeverGetsThePlatformKey() {
    final KeyStore strict = keys.requiringByok(java.util.Set.of("acme", "globex"));

    assertThat(strict.resolve("acme", null, anthropic)).contains(ApiKey.of("sk-acme"));
    assertThatThrownBy(() -> strict.resolve("globex", null, anthropic))
        .isInstanceOfSatisfying(ProviderFailure.class,
            failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.NO_CREDENTIALS));
    // Tenant ids are matched exactly: another tenant that differs only in case is not held to it.
    assertThat(strict.resolve("Globex", null, anthropic)).contains(ApiKey.of("sk-platform"));
  }

  @Test
  void byokOnlyTenantsComeFromTheEnvironment() {
    final KeyStore strict = KeyStore.fromEnv(Map.of(KeyStore.BYOK_ONLY_VARIABLE, " globex , initech"));

    assertThatThrownBy(() -> strict.resolve("initech", null, anthropic))
        .isInstanceOf(ProviderFailure.class);
    assertThat(strict.resolve("acme", null, anthropic)).contains(ApiKey.of("sk-platform"));
  }

  @Test
  void anUnknownKeyRefIsAnErrorNotThePlatformsAccount() {
    assertThatThrownBy(() -> keys.resolve("acme", "kref_typo", anthropic))
        .isInstanceOfSatisfying(
            ProviderFailure.class,
            failure -> {
              assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.NO_CREDENTIALS);
              assertThat(failure.fallbackAllowed()).isTrue();
            });
  }

  @Test
  void readsAKeysFileAndByokVariables(@TempDir final Path dir) throws IOException {
    final Path file = dir.resolve("keys.properties");
    Files.writeString(file, "# tenant.<tenant>/provider=key\ntenant.acme/anthropic=sk-from-file\n",
        StandardCharsets.UTF_8);

    final KeyStore store =
        KeyStore.fromEnv(
            Map.of(
                KeyStore.FILE_VARIABLE, file.toString(),
                "TIERGATE_BYOK_TENANT__Globex__ANTHROPIC", "sk-from-env",
                "TIERGATE_BYOK__KREF_OPS__ANTHROPIC", "sk-ref-from-env"));

    assertThat(store.size()).isEqualTo(3);
    assertThat(store.resolve("acme", null, anthropic)).contains(ApiKey.of("sk-from-file"));
    assertThat(store.resolve("Globex", null, anthropic)).contains(ApiKey.of("sk-from-env"));
    assertThat(store.resolve("acme", "kref_ops", anthropic)).contains(ApiKey.of("sk-ref-from-env"));
  }

  @Test
  void neverPrintsAKey() {
    assertThat(keys.toString()).doesNotContain("sk-");
    assertThat(ApiKey.of("sk-secret").toString()).doesNotContain("sk-secret");
    assertThat(anthropic.withApiKey(Optional.of(ApiKey.of("sk-secret"))).toString())
        .doesNotContain("sk-secret")
        .doesNotContain("sk-platform");
  }
}
