package dev.tiergate.launcher.keys;

import dev.tiergate.runtime.CompactedTopic;
import dev.tiergate.runtime.Tier;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Manages virtual keys on the compacted {@code tiergate.virtual-keys} topic: a new key is random,
 * shown once, and stored only as its SHA-256 digest (the record key) with a short prefix to tell
 * keys apart; revoking writes the row again with {@code revoked=true}, which every ingress sees on
 * its live table within moments.
 */
public final class VirtualKeyStore {

  /** Every generated key starts with this, so a leaked key is recognisable in a scan. */
  public static final String KEY_PREFIX = "tg-";
  /** Characters of a key kept in clear as its prefix: {@code tg-} plus eight. */
  public static final int SHOWN_PREFIX_LENGTH = KEY_PREFIX.length() + 8;
  private static final int RANDOM_BYTES = 24;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A key just created: the only time its clear text exists. */
  public record Created(String key, VirtualKey row) {
    public Created {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(row, "row");
    }
  }

  /** Where the cluster is, asked only when a record is read or written (after validation). */
  private final Supplier<KafkaSettings> cluster;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public VirtualKeyStore(final KafkaSettings kafka, final Clock clock) {
    this(() -> kafka, clock);
    Objects.requireNonNull(kafka, "kafka");
  }

  public VirtualKeyStore(final Supplier<KafkaSettings> cluster, final Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Creates and stores a key.
   *
   * @param allowedTiers the tiers the key may use; empty means all
   * @throws IllegalArgumentException for an unknown tier, or a default tier not allowed
   */
  public Created create(
      final String tenant, final String defaultTier, final List<String> allowedTiers,
      final String label) {
    return create(tenant, defaultTier, allowedTiers, List.of(), label, Limits.NONE);
  }

  /**
   * A key's rate limits; null is no limit of that kind.
   *
   * @param requestsPerMinute requests per minute
   * @param tokensPerMinute input + output tokens per minute
   * @param maxConcurrent requests in flight at once
   */
  public record Limits(Integer requestsPerMinute, Long tokensPerMinute, Integer maxConcurrent) {
    public static final Limits NONE = new Limits(null, null, null);

    public Limits {
      if ((requestsPerMinute != null && requestsPerMinute < 1)
          || (tokensPerMinute != null && tokensPerMinute < 1)
          || (maxConcurrent != null && maxConcurrent < 1)) {
        throw new IllegalArgumentException("--rpm, --tpm and --max-concurrent must be positive");
      }
    }
  }

  /**
   * Creates and stores a key with a model allow-list (explicit {@code provider/model} ids the key
   * may name beyond the models of its tiers' routing chains) and rate limits.
   *
   * @throws IllegalArgumentException also for a model id that is not {@code provider/model}
   */
  public Created create(
      final String tenant, final String defaultTier, final List<String> allowedTiers,
      final List<String> allowedModels, final String label, final Limits limits) {
    return create(tenant, defaultTier, allowedTiers, allowedModels, label, limits, null);
  }

  /**
   * Creates a key with a cost-quality knob: {@code strongShare} (0–1) of its requests without a
   * mode may go to the frontier tier (null: the shipped share).
   */
  public Created create(
      final String tenant, final String defaultTier, final List<String> allowedTiers,
      final List<String> allowedModels, final String label, final Limits limits,
      final Double strongShare) {
    Objects.requireNonNull(tenant, "tenant");
    if (strongShare != null && !(strongShare >= 0 && strongShare <= 1)) {
      throw new IllegalArgumentException("--strong-share must be between 0 and 1");
    }
    Objects.requireNonNull(limits, "limits");
    final List<String> models = Objects.requireNonNull(allowedModels, "allowedModels").stream()
        .map(VirtualKeyStore::modelId).distinct().toList();
    Objects.requireNonNull(allowedTiers, "allowedTiers");
    final Tier dflt = tier(Objects.requireNonNull(defaultTier, "defaultTier"));
    final List<String> allowed = allowedTiers.stream().map(t -> tier(t).id()).distinct().toList();
    if (!allowed.isEmpty() && !allowed.contains(dflt.id())) {
      throw new IllegalArgumentException(
          "the default tier '" + dflt.id() + "' must be one of the allowed tiers " + allowed);
    }
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
    final byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    final String key = KEY_PREFIX + HexFormat.of().formatHex(bytes);
    final VirtualKey row =
        VirtualKey.newBuilder()
            .setKeyHash(VirtualKeySpec.hash(key))
            .setKeyPrefix(key.substring(0, SHOWN_PREFIX_LENGTH))
            .setTenant(tenant.trim())
            .setDefaultTier(dflt.id())
            .setAllowedTiers(allowed)
            .setAllowedModels(models)
            .setLabel(label)
            .setRevoked(false)
            .setCreatedAt(clock.instant())
            .setRequestsPerMinute(limits.requestsPerMinute())
            .setTokensPerMinute(limits.tokensPerMinute())
            .setMaxConcurrent(limits.maxConcurrent())
            .setStrongShare(strongShare)
            .build();
    write(row);
    return new Created(key, row);
  }

  /** Every stored key (revoked ones too), newest first. */
  public List<VirtualKey> list() {
    final Map<String, VirtualKey> rows = readAll();
    final List<VirtualKey> result = new ArrayList<>(rows.values());
    result.sort(Comparator.comparing(VirtualKey::getCreatedAt).reversed());
    return result;
  }

  /**
   * Revokes the one key whose prefix or hash starts with {@code prefixOrHash}.
   *
   * @throws IllegalArgumentException when no key or more than one matches
   */
  public VirtualKey revoke(final String prefixOrHash) {
    final String wanted = Objects.requireNonNull(prefixOrHash, "prefixOrHash").trim();
    if (wanted.length() < 4) {
      throw new IllegalArgumentException("give at least 4 characters of the key prefix or hash");
    }
    final String lower = wanted.toLowerCase(Locale.ROOT);
    final List<VirtualKey> matches =
        readAll().values().stream()
            .filter(row -> row.getKeyPrefix().startsWith(wanted) || row.getKeyHash().startsWith(lower))
            .toList();
    if (matches.size() != 1) {
      throw new IllegalArgumentException(
          matches.isEmpty()
              ? "no key matches '" + wanted + "'"
              : matches.size() + " keys match '" + wanted + "'; give more characters");
    }
    final VirtualKey revoked = VirtualKey.newBuilder(matches.get(0)).setRevoked(true).build();
    write(revoked);
    return revoked;
  }

  /** A trimmed {@code provider/model} id; virtual {@code auto…} ids are tiers, not models. */
  private static String modelId(final String id) {
    final String model = Objects.requireNonNull(id, "model").trim();
    final int slash = model.indexOf('/');
    final String lower = model.toLowerCase(Locale.ROOT);
    if (slash <= 0 || slash == model.length() - 1 || lower.startsWith("auto/")
        || lower.startsWith("kilo-auto/")) {
      throw new IllegalArgumentException(
          "'" + id + "' is not an explicit provider/model id (e.g. openai/gpt-5)");
    }
    return model;
  }

  private static Tier tier(final String id) {
    return Tier.parse(id)
        .orElseThrow(
            () -> new IllegalArgumentException(
                "unknown tier '" + id + "'; use frontier, balanced, free or small"));
  }

  private void write(final VirtualKey row) {
    CompactedTopic.write(cluster.get(), Topics.VIRTUAL_KEYS, Map.of(row.getKeyHash(), row), TIMEOUT);
  }

  /** The table as it stands: every partition read from the beginning to its current end. */
  private Map<String, VirtualKey> readAll() {
    return CompactedTopic.read(cluster.get(), Topics.VIRTUAL_KEYS, TIMEOUT);
  }
}
