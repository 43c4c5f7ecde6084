package dev.tiergate.dispatcher.provider;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalogue model id split into the provider (before the first '/') and the upstream model name
 * (the rest, which may itself contain slashes, e.g. {@code openrouter/meta-llama/llama-3}).
 */
public record ModelId(String id, String provider, String upstreamModel) {

  public ModelId {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
  }

  /** Empty when the id has no provider or no model part. */
  public static Optional<ModelId> parse(final String id) {
    Objects.requireNonNull(id, "id");
    final int slash = id.indexOf('/');
    if (slash <= 0 || slash == id.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(
        new ModelId(id, normalizeProvider(id.substring(0, slash)), id.substring(slash + 1)));
  }

  /** Provider names compare lower case, with '_' and '-' equivalent (env names cannot hold '-'). */
  public static String normalizeProvider(final String name) {
    return name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
