package dev.tiergate.dispatcher.provider;

import java.util.Objects;
import java.util.Optional;

/**
 * One model of a chain, resolved to the endpoint and adapter that serve it, the model's family, and
 * the credential this request uses there (a tenant's own key, else the endpoint's platform key).
 */
public record ProviderTarget(
    ModelId model, ProviderEndpoint endpoint, ProviderAdapter adapter, String family, Optional<ApiKey> apiKey) {

  public ProviderTarget {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(adapter, "adapter");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(apiKey, "apiKey");
  }

  /** A target using the endpoint's platform key and a family derived from the model name. */
  public ProviderTarget(final ModelId model, final ProviderEndpoint endpoint, final ProviderAdapter adapter) {
    this(
        model,
        endpoint,
        adapter,
        ModelFamilies.fromName(model.upstreamModel()),
        endpoint.apiKey().map(ApiKey::of));
  }

  /** The same target with the credential a request resolved. */
  public ProviderTarget withApiKey(final Optional<ApiKey> key) {
    return new ProviderTarget(model, endpoint, adapter, family, key);
  }

  /** The catalogue id, e.g. {@code openai/gpt-5}. */
  public String catalogueId() {
    return model.id();
  }

  public String provider() {
    return endpoint.name();
  }
}
