package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProviderEndpointTest {

  private static ProviderEndpoint endpoint(final String baseUrl) {
    return new ProviderEndpoint(
        "openai", URI.create(baseUrl), Optional.of("sk-secret"), ProviderFormat.OPENAI);
  }

  @Test
  void resolvesAdapterPathsWhateverSlashesTheBaseUrlEndsWith() {
    assertThat(endpoint("https://api.openai.com/v1").resolve("/chat/completions"))
        .isEqualTo("https://api.openai.com/v1/chat/completions");
    assertThat(endpoint("https://api.openai.com/v1//").resolve("/chat/completions"))
        .isEqualTo("https://api.openai.com/v1/chat/completions");
    assertThat(endpoint("https://api.openai.com/v1/").resolve("models"))
        .isEqualTo("https://api.openai.com/v1/models");
  }

  @Test
  void neverPrintsTheApiKey() {
    assertThat(endpoint("https://api.openai.com/v1").toString())
        .doesNotContain("sk-secret")
        .contains("apiKey=<redacted>");
  }
}
