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

/** The configured provider endpoints, each paired with the adapter for its format. */
public final class Providers {

  private final Map<String, ProviderEndpoint> endpoints;
  private final Map<ProviderFormat, ProviderAdapter> adapters;
  private final ModelFamilies families;

  public Providers(final Collection<ProviderEndpoint> endpoints, final ObjectMapper mapper) {
    this(endpoints, mapper, new ModelFamilies());
  }

  /** @param families the catalogue's model families, updated as the catalogue changes */
  public Providers(
      final Collection<ProviderEndpoint> endpoints, final ObjectMapper mapper, final ModelFamilies families) {
    Objects.requireNonNull(endpoints, "endpoints");
    this.families = Objects.requireNonNull(families, "families");
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

  /** The target serving a catalogue id; empty for a malformed id or an unconfigured provider. */
  public Optional<ProviderTarget> resolve(final String catalogueId) {
    Objects.requireNonNull(catalogueId, "catalogueId");
    return ModelId.parse(catalogueId)
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
