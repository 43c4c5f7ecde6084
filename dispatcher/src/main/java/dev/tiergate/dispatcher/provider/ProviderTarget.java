package dev.tiergate.dispatcher.provider;

import java.util.Objects;

/** One model of a chain, resolved to the endpoint and adapter that serve it. */
public record ProviderTarget(ModelId model, ProviderEndpoint endpoint, ProviderAdapter adapter) {

  public ProviderTarget {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(adapter, "adapter");
  }

  /** The catalogue id, e.g. {@code openai/gpt-5}. */
  public String catalogueId() {
    return model.id();
  }

  public String provider() {
    return endpoint.name();
  }
}
