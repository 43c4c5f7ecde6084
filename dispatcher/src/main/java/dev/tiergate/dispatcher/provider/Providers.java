package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.anthropic.AnthropicMessagesAdapter;
import dev.tiergate.dispatcher.provider.gemini.GeminiAdapter;
import dev.tiergate.dispatcher.provider.openai.OpenAiChatAdapter;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configured provider endpoints, each paired with the adapter for its format. With a required
 * catalogue (the running dispatcher) only models the catalogue lists resolve, and every call names
 * the catalogue's upstream model; without one (tests of a single adapter) the upstream model is the
 * part of the id after the provider.
 */
public final class Providers {

  private final Map<String, ProviderEndpoint> endpoints;
  private final Map<ProviderFormat, ProviderAdapter> adapters;
  private final ModelFamilies families;
  private final boolean catalogueRequired;

  public Providers(final Collection<ProviderEndpoint> endpoints, final ObjectMapper mapper) {
    this(endpoints, mapper, new ModelFamilies());
  }

  /** @param families the catalogue's model families, updated as the catalogue changes */
  public Providers(
      final Collection<ProviderEndpoint> endpoints, final ObjectMapper mapper, final ModelFamilies families) {
    this(endpoints, mapper, families, false);
  }

  /**
   * @param families the catalogue's entries, updated as the catalogue changes
   * @param catalogueRequired true: a model the catalogue does not list never resolves
   */
  public Providers(
      final Collection<ProviderEndpoint> endpoints,
      final ObjectMapper mapper,
      final ModelFamilies families,
      final boolean catalogueRequired) {
    Objects.requireNonNull(endpoints, "endpoints");
    this.families = Objects.requireNonNull(families, "families");
    this.catalogueRequired = catalogueRequired;
    Objects.requireNonNull(mapper, "mapper");
    final Map<String, ProviderEndpoint> byName = new HashMap<>();
    endpoints.forEach(
        endpoint -> byName.put(ModelId.normalizeProvider(endpoint.name()), endpoint));
    this.endpoints = Map.copyOf(byName);
    this.adapters =
        Map.of(
            ProviderFormat.OPENAI, OpenAiChatAdapter.openAi(mapper),
            ProviderFormat.OPENAI_COMPATIBLE, OpenAiChatAdapter.compatible(mapper),
            ProviderFormat.ANTHROPIC, new AnthropicMessagesAdapter(mapper),
            ProviderFormat.GEMINI, new GeminiAdapter(mapper));
  }

  /** Whether a model may be called at all: listed in the catalogue, or no catalogue is required. */
  public boolean callable(final String catalogueId) {
    return !catalogueRequired || families.lists(catalogueId);
  }

  /**
   * The target serving a catalogue id, calling the catalogue's upstream model; empty for a
   * malformed id, an unconfigured provider, or (with a required catalogue) an unlisted model.
   */
  public Optional<ProviderTarget> resolve(final String catalogueId) {
    Objects.requireNonNull(catalogueId, "catalogueId");
    if (!callable(catalogueId)) {
      return Optional.empty();
    }
    return ModelId.parse(catalogueId)
        .map(parsed -> families.upstreamOf(catalogueId)
            .map(upstream -> new ModelId(parsed.id(), parsed.provider(), upstream))
            .orElse(parsed))
        .flatMap(
            model ->
                Optional.ofNullable(endpoints.get(model.provider()))
                    .map(
                        endpoint ->
                            new ProviderTarget(
                                model,
                                endpoint,
                                adapter(endpoint),
                                families.familyOf(model),
                                endpoint.apiKey().map(ApiKey::of))));
  }

  private ProviderAdapter adapter(final ProviderEndpoint endpoint) {
    final ProviderAdapter adapter = adapters.get(endpoint.format());
    if (adapter == null) {
      throw new IllegalStateException("no adapter for format " + endpoint.format());
    }
    return adapter;
  }
}
