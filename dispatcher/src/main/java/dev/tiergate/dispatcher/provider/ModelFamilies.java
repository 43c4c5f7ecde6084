package dev.tiergate.dispatcher.provider;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model family of each catalogue id, which decides whether reasoning blocks can be sent back
 * to a model. The catalogue ({@code tiergate.models}, kept current by {@code ModelCatalogueReader})
 * is the truth; a model it does not list gets a family derived from its name ({@code claude-…} is
 * {@code claude}, {@code gemini-…} is {@code gemini}, otherwise the first two dash-separated
 * parts: {@code gpt-5-mini} is {@code gpt-5}, {@code llama-3.1-8b} is {@code llama-3.1}), which
 * matches how the default catalogue names its families. It also keeps each entry's upstream model
 * (the name sent to the provider), so a call never uses the caller's spelling of a model. Thread-safe.
 */
public final class ModelFamilies {

  private final Map<String, String> byId = new ConcurrentHashMap<>();
  private final Map<String, String> upstreamById = new ConcurrentHashMap<>();

  /** Records (or, with a null family, forgets) a catalogue entry. */
  public void put(final String catalogueId, final String family) {
    Objects.requireNonNull(catalogueId, "catalogueId");
    if (family == null || family.isBlank()) {
      byId.remove(catalogueId);
    } else {
      byId.put(catalogueId, normalize(family));
    }
  }

  /**
   * Records a catalogue entry with the model name its provider knows it by; a null upstream model
   * forgets the entry.
   */
  public void put(final String catalogueId, final String family, final String upstreamModel) {
    Objects.requireNonNull(catalogueId, "catalogueId");
    if (upstreamModel == null || upstreamModel.isBlank()) {
      upstreamById.remove(catalogueId);
      byId.remove(catalogueId);
      return;
    }
    upstreamById.put(catalogueId, upstreamModel.trim());
    put(catalogueId, family);
  }

  /** Whether the catalogue lists this id (with an upstream model). */
  public boolean lists(final String catalogueId) {
    return upstreamById.containsKey(Objects.requireNonNull(catalogueId, "catalogueId"));
  }

  /** The catalogue's upstream model for an id; empty when the catalogue does not list it. */
  public Optional<String> upstreamOf(final String catalogueId) {
    return Optional.ofNullable(upstreamById.get(Objects.requireNonNull(catalogueId, "catalogueId")));
  }

  /** The family of a model: the catalogue's, else derived from its name. */
  public String familyOf(final ModelId model) {
    Objects.requireNonNull(model, "model");
    final String known = byId.get(model.id());
    return known != null ? known : fromName(model.upstreamModel());
  }

  public int size() {
    return byId.size();
  }

  static String fromName(final String upstreamModel) {
    final String name = normalize(upstreamModel.substring(upstreamModel.lastIndexOf('/') + 1));
    if (name.startsWith("claude")) {
      return "claude";
    }
    if (name.startsWith("gemini")) {
      return "gemini";
    }
    final String[] parts = name.split("-", 3);
    return parts.length >= 2 ? parts[0] + "-" + parts[1] : parts[0];
  }

  static String normalize(final String family) {
    return family.trim().toLowerCase(Locale.ROOT);
  }
}
