package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ModelFamilies;
import dev.tiergate.schemas.ModelSpec;
import java.util.Objects;

/**
 * Applies {@code tiergate.models} records to the dispatcher's {@link ModelFamilies} table: family
 * and upstream model per catalogue id.
 */
final class ModelCatalogue {

  private final ModelFamilies families;

  ModelCatalogue(final ModelFamilies families) {
    this.families = Objects.requireNonNull(families, "families");
  }

  /** A catalogue record: an entry, or a tombstone (null) that removes it. */
  void apply(final String id, final ModelSpec spec) {
    if (id == null) {
      return;
    }
    if (spec == null) {
      families.put(id, null, null);
    } else {
      families.put(id, spec.getFamily(), spec.getUpstreamModel());
    }
  }
}
