package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProvidersTest {

  private final ModelFamilies catalogue = new ModelFamilies();
  private final List<ProviderEndpoint> endpoints = List.of(new ProviderEndpoint(
      "google", URI.create("http://127.0.0.1:1/v1beta"), Optional.empty(), ProviderFormat.GEMINI));

  @Test
  void callsTheCataloguesUpstreamModelNotTheIdsSpelling() {
    catalogue.put("google/fast", "gemini", "gemini-2.5-flash");
    final Providers providers = new Providers(endpoints, new ObjectMapper(), catalogue, true);

    assertThat(providers.resolve("google/fast")).get()
        .satisfies(target -> {
          assertThat(target.model().upstreamModel()).isEqualTo("gemini-2.5-flash");
          assertThat(target.catalogueId()).isEqualTo("google/fast");
        });
  }

  @Test
  void withARequiredCatalogueAnUnlistedModelNeverResolves() {
    final Providers providers = new Providers(endpoints, new ObjectMapper(), catalogue, true);

    assertThat(providers.callable("google/gemini-2.5-flash")).isFalse();
    assertThat(providers.resolve("google/gemini-2.5-flash")).isEmpty();
  }

  @Test
  void aRemovedEntryIsNoLongerCallable() {
    catalogue.put("google/fast", "gemini", "gemini-2.5-flash");
    catalogue.put("google/fast", null, null);

    assertThat(new Providers(endpoints, new ObjectMapper(), catalogue, true).callable("google/fast")).isFalse();
  }
}
