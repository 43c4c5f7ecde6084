package dev.tiergate.dispatcher.provider;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where one provider is reached and how it is spoken to. The API key stays in this process: it is
 * redacted from {@link #toString()} so a logged config cannot leak it.
 *
 * @param name the provider part of a {@code provider/model} id, lower case
 * @param baseUrl e.g. {@code https://api.openai.com/v1}; adapter paths are appended to it
 * @param apiKey sent as the format's credential header when present
 */
public record ProviderEndpoint(
    String name, URI baseUrl, Optional<String> apiKey, ProviderFormat format) {

  /** Compiled once: {@link #resolve} runs for every provider call. */
  private static final Pattern TRAILING_SLASHES = Pattern.compile("/+$");

  public ProviderEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(format, "format");
    if (baseUrl.getScheme() == null || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("provider " + name + " needs an absolute base URL");
    }
  }

  /** The absolute URL of an adapter path such as {@code /chat/completions}. */
  public String resolve(final String path) {
    final String base = TRAILING_SLASHES.matcher(baseUrl.toString()).replaceAll("");
    return path.startsWith("/") ? base + path : base + "/" + path;
  }

  @Override
  public String toString() {
    return "ProviderEndpoint[name=" + name + ", baseUrl=" + baseUrl + ", apiKey="
        + (apiKey.isPresent() ? "<redacted>" : "<none>") + ", format=" + format.configValue() + "]";
  }
}
