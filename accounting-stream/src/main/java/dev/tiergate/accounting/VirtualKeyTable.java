package dev.tiergate.accounting;

import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.VirtualKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which tenant a caller's key stands for, so the query API shows a key only its own tenant's spend.
 * Keys come from the static {@code TIERGATE_VIRTUAL_KEYS} table (the ingress's format, {@code
 * key=tenant:tier[;attributes],...}) and from the hashed keys on {@code tiergate.virtual-keys}; only SHA-256
 * digests are kept or compared, so this object never holds a key.
 */
public final class VirtualKeyTable {

  /** The demo key for tenant {@code demo} ({@code TIERGATE_DEMO=true} only). */
  public static final String DEFAULT_SPEC = VirtualKeySpec.DEMO;

  private final Map<String, String> tenantsByHash;
  private final Function<String, VirtualKey> published;

  private VirtualKeyTable(
      final Map<String, String> tenantsByHash, final Function<String, VirtualKey> published) {
    this.tenantsByHash = Map.copyOf(tenantsByHash);
    this.published = Objects.requireNonNull(published, "published");
  }

  /**
   * Parses the static table and combines it with the published keys.
   *
   * @param published looks a key up by its SHA-256 hex digest on {@code tiergate.virtual-keys};
   *     returns null when unknown
   */
  public static VirtualKeyTable of(
      final String spec, final Function<String, VirtualKey> published) {
    // The ingress's optional ;name=value attributes (tiers, models, limits) do not matter here.
    final Map<String, String> table = new HashMap<>();
    for (final VirtualKeySpec.Entry entry : VirtualKeySpec.parse(spec)) {
      table.put(entry.keyHash(), entry.tenant());
    }
    return new VirtualKeyTable(table, published);
  }

  /** Whether the static table holds any key. */
  public boolean hasStaticKeys() {
    return !tenantsByHash.isEmpty();
  }

  /** The tenant of a presented key; empty for a blank, unknown or revoked key. */
  public Optional<String> tenant(final String presentedKey) {
    if (presentedKey == null || presentedKey.isBlank()) {
      return Optional.empty();
    }
    final String hash = VirtualKeySpec.hash(presentedKey.trim());
    final VirtualKey key = published.apply(hash);
    if (key != null) {
      return key.getRevoked() ? Optional.empty() : Optional.of(key.getTenant());
    }
    return Optional.ofNullable(tenantsByHash.get(hash));
  }

  @Override
  public String toString() {
    return "VirtualKeyTable[" + tenantsByHash.size() + " static keys]";
  }
}
