package dev.tiergate.ingress.auth;

import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.VirtualKey;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a presented key to its {@link Caller}: first the static bootstrap keys from config, then
 * the hashed keys on {@code tiergate.virtual-keys} (created with {@code tiergate keys create}). A
 * revoked or deleted key is unknown, so it gets 401 like a wrong one.
 */
public final class KeyDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(KeyDirectory.class);

  /** The key an anonymous client may send instead of none. */
  public static final String ANONYMOUS_KEY = "anonymous";

  private final VirtualKeys staticKeys;
  private final LiveTable<VirtualKey> managedKeys;
  private final Optional<Caller> anonymous;

  public KeyDirectory(final VirtualKeys staticKeys, final LiveTable<VirtualKey> managedKeys) {
    this(staticKeys, managedKeys, Optional.empty());
  }

  /** @param anonymous the caller for requests without a key; empty (the default) refuses them */
  public KeyDirectory(
      final VirtualKeys staticKeys,
      final LiveTable<VirtualKey> managedKeys,
      final Optional<Caller> anonymous) {
    this.staticKeys = Objects.requireNonNull(staticKeys, "staticKeys");
    this.managedKeys = Objects.requireNonNull(managedKeys, "managedKeys");
    this.anonymous = Objects.requireNonNull(anonymous, "anonymous");
  }

  /**
   * The caller behind the request's key; empty for an unknown or revoked key, and for a missing
   * key unless anonymous access is on.
   */
  public Optional<Caller> authenticate(final HeaderLookup headers) {
    final String key = VirtualKeys.presentedKey(Objects.requireNonNull(headers, "headers"));
    if (key == null || key.equals(ANONYMOUS_KEY)) {
      return anonymous;
    }
    final String hash = VirtualKeys.hash(key);
    final Optional<Caller> bootstrap = staticKeys.findByHash(hash);
    if (bootstrap.isPresent()) {
      return bootstrap;
    }
    return managedKeys.get(hash).filter(row -> !row.getRevoked()).flatMap(KeyDirectory::caller);
  }

  /** A stored key whose tiers no longer parse is unusable, never a 500. */
  private static Optional<Caller> caller(final VirtualKey row) {
    final Optional<Tier> defaultTier = Tier.parse(row.getDefaultTier());
    final Set<Tier> allowed = EnumSet.noneOf(Tier.class);
    for (final String tier : row.getAllowedTiers()) {
      final Optional<Tier> parsed = Tier.parse(tier);
      if (parsed.isEmpty()) {
        LOG.warn("virtual key {} names unknown tier '{}'; refused", row.getKeyPrefix(), tier);
        return Optional.empty();
      }
      allowed.add(parsed.get());
    }
    if (defaultTier.isEmpty() || (!allowed.isEmpty() && !allowed.contains(defaultTier.get()))) {
      LOG.warn("virtual key {} has an unusable default tier; refused", row.getKeyPrefix());
      return Optional.empty();
    }
    return Optional.of(new Caller(row.getTenant(), defaultTier.get(), allowed,
        Set.copyOf(row.getAllowedModels()), VirtualKeys.keyId(row.getKeyHash()), limits(row),
        row.getStrongShare()));
  }

  /** The key's stored limits; a non-positive stored value is no limit. */
  private static RateLimits limits(final VirtualKey row) {
    return new RateLimits(
        positive(row.getRequestsPerMinute()), positive(row.getTokensPerMinute()),
        (int) positive(row.getMaxConcurrent()));
  }

  private static long positive(final Number value) {
    return value == null || value.longValue() < 0 ? 0 : value.longValue();
  }
}
