package dev.tiergate.router;

import dev.tiergate.schemas.ModelSpec;

/**
 * The model catalogue ({@code tiergate.models}) as decoded entries: a decision reads several
 * models per request (capabilities, prices, families), and a store read decodes the entry every
 * time. The models table's update step ({@link GlobalTableProcessor}) keeps it in step with every
 * record, so a changed entry counts from the next request.
 */
final class Catalogue extends TableSnapshot<ModelSpec> {

  /** The entry of {@code id}, or null. */
  ModelSpec model(final String id) {
    return get(id);
  }
}
