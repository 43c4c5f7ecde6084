package dev.tiergate.router;

import dev.tiergate.schemas.ModelSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The model catalogue ({@code tiergate.models}) as decoded entries: a decision reads several
 * models per request (capabilities, prices, families), and a store read decodes the entry every
 * time. The models table's update step ({@link GlobalTableProcessor}) keeps it in step with every
 * record, so a changed entry counts from the next request. Each change publishes a new immutable
 * snapshot (the catalogue is small and changes rarely).
 */
final class Catalogue implements TableView<ModelSpec> {

  private final Map<String, ModelSpec> entries = new HashMap<>();
  private volatile Map<String, ModelSpec> snapshot = Map.of();

  /** The entry of {@code id}, or null. */
  ModelSpec model(final String id) {
    return snapshot.get(Objects.requireNonNull(id, "id"));
  }

  /** Whether the catalogue has no entry at all. */
  boolean isEmpty() {
    return snapshot.isEmpty();
  }

  @Override
  public synchronized void update(final String key, final ModelSpec model) {
    if (key == null) {
      return;
    }
    if (model == null) {
      entries.remove(key);
    } else {
      entries.put(key, model);
    }
    snapshot = Map.copyOf(entries);
  }

  @Override
  public synchronized void replaceAll(final Map<String, ModelSpec> table) {
    entries.clear();
    table.forEach((key, model) -> {
      if (key != null && model != null) {
        entries.put(key, model);
      }
    });
    snapshot = Map.copyOf(entries);
  }
}
