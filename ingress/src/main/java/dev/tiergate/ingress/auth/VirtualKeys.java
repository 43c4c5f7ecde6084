package dev.tiergate.ingress.auth;

import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.Tier;
import dev.tiergate.runtime.VirtualKeySpec;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The static virtual-key table: which tenant and default tier a client key stands for. Only SHA-256
 * hashes of the keys are kept, so a heap dump or a stray log line of this object reveals no key.
 */
@EntryPoint
public final class VirtualKeys {

  /** The demo table ({@code TIERGATE_DEMO=true} without keys of its own): one well-known key. */
  public static final String DEFAULT_SPEC = VirtualKeySpec.DEMO;

  public static final String AUTHORIZATION_HEADER = "authorization";
  public static final String API_KEY_HEADER = "x-api-key";
  private static final String BEARER = "Bearer ";
  private static final String TIERS = "tiers";
  private static final String MODELS = "models";
  private static final Set<String> ATTRIBUTES =
      Set.of(TIERS, MODELS, SpecAttributes.RPM, SpecAttributes.TPM, SpecAttributes.CONCURRENT);

  private final Map<String, Caller> callersByKeyHash;

  private VirtualKeys(final Map<String, Caller> callersByKeyHash) {
    this.callersByKeyHash = Map.copyOf(callersByKeyHash);
  }

  /** No bootstrap keys: only keys on {@code tiergate.virtual-keys} authenticate. */
  public static VirtualKeys none() {
    return new VirtualKeys(Map.of());
  }

  /**
   * Parses {@code key1=tenantA:balanced,key2=tenantB:frontier}; each entry may carry optional
   * attributes after {@code ;}: {@code key=tenant:tier;tiers=small|free;models=a|b;rpm=60;
   * tpm=100000;concurrent=4} (the tiers the key may use, extra explicit models it may name, and its
   * rate limits; see {@link RateLimits}). A key must not contain {@code ,} or {@code ;}. Fails fast
   * on a malformed entry; the error names the entry's position, never the key.
   */
  public static VirtualKeys parse(final String spec) {
    final Map<String, Caller> table = new HashMap<>();
    for (final VirtualKeySpec.Entry entry : VirtualKeySpec.parse(spec)) {
      final SpecAttributes attributes = SpecAttributes.parse(
          entry.attributes().toArray(String[]::new), ATTRIBUTES, entry::malformed);
      table.put(entry.keyHash(), caller(entry, attributes));
    }
    if (table.isEmpty()) {
      throw new IllegalArgumentException("virtual key table is empty");
    }
    return new VirtualKeys(table);
  }

  private static Caller caller(final VirtualKeySpec.Entry entry, final SpecAttributes attributes) {
    final Set<Tier> tiers = EnumSet.noneOf(Tier.class);
    for (final String name : attributes.list(TIERS)) {
      tiers.add(Tier.parse(name).orElseThrow(() -> entry.malformed("unknown tier in 'tiers'")));
    }
    if (!tiers.isEmpty() && !tiers.contains(entry.tier())) {
      throw entry.malformed("the default tier must be one of 'tiers'");
    }
    return new Caller(
        entry.tenant(), entry.tier(), tiers, Set.copyOf(attributes.list(MODELS)),
        keyId(entry.keyHash()), attributes.limits(entry::malformed));
  }

  /**
   * The key a request presents, as {@code Authorization: Bearer <key>} or {@code x-api-key}; null
   * when neither header carries one.
   */
  public static String presentedKey(final HeaderLookup headers) {
    Objects.requireNonNull(headers, "headers");
    final String authorization = headers.get(AUTHORIZATION_HEADER);
    final String key =
        authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? authorization.substring(BEARER.length())
            : headers.get(API_KEY_HEADER);
    return key == null || key.isBlank() ? null : key.trim();
  }

  /** The caller whose key has this SHA-256 hex digest; empty when the table has none. */
  public Optional<Caller> findByHash(final String keyHash) {
    return Optional.ofNullable(callersByKeyHash.get(Objects.requireNonNull(keyHash, "keyHash")));
  }

  /**
   * The caller behind a request's key, sent as {@code Authorization: Bearer <key>} or {@code
   * x-api-key}; empty when neither header carries a known key.
   */
  public Optional<Caller> authenticate(final HeaderLookup headers) {
    return authenticate(presentedKey(headers));
  }

  /** The caller a presented key stands for; empty for a null, blank or unknown key. */
  public Optional<Caller> authenticate(final String presentedKey) {
    if (presentedKey == null || presentedKey.isBlank()) {
      return Optional.empty();
    }
    return Optional.ofNullable(callersByKeyHash.get(hash(presentedKey.trim())));
  }

  public int size() {
    return callersByKeyHash.size();
  }

  /**
   * The id a key is known by on the bus and in limits and usage: a prefix of its hash, so it names
   * the key without revealing any of it.
   */
  public static String keyId(final String keyHash) {
    return VirtualKeySpec.keyId(keyHash);
  }

  /** The SHA-256 hex digest a key is stored and looked up under. */
  public static String hash(final String key) {
    return VirtualKeySpec.hash(key);
  }

  @Override
  public String toString() {
    return "VirtualKeys[" + callersByKeyHash.size() + " keys]";
  }
}
