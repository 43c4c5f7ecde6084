package dev.tiergate.runtime;

import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Virtual keys as every service reads them, written once: the bootstrap table's format ({@code
 * TIERGATE_VIRTUAL_KEYS=key=tenant:tier[;name=value...],...}), the SHA-256 digest a key is stored
 * and looked up under, and the key id derived from it. Errors name an entry's position, never the
 * key; nothing here keeps a key.
 */
public final class VirtualKeySpec {

  /** The demo table ({@code TIERGATE_DEMO=true} without keys of its own): one well-known key. */
  public static final String DEMO = "tg-demo-key=demo:balanced";

  /** The bootstrap table, the same variable for every service that authenticates keys. */
  public static final Setting<String> TABLE = Setting.text("TIERGATE_VIRTUAL_KEYS")
      .withDescription("bootstrap keys, `key=tenant:tier[;name=value...],...`; without them only"
          + " keys on `tiergate.virtual-keys` (`tiergate keys create`) authenticate, and the service"
          + " refuses to start when that topic holds none either");
  public static final Setting<Boolean> DEMO_MODE = Setting.flag("TIERGATE_DEMO", false)
      .withDescription("`true` turns on the well-known demo key (`" + DEMO + "`) when no bootstrap"
          + " keys are set; `tiergate up` sets it. Never on a shared network");

  private static final int KEY_ID_HASH_CHARS = 12;

  private VirtualKeySpec() {}

  /**
   * One entry of the table.
   *
   * @param position its 1-based place in the table, for error messages
   * @param keyHash the key's SHA-256 hex digest (the key itself is not kept)
   * @param attributes the raw {@code name=value} parts after {@code ;}, for the service that uses them
   */
  public record Entry(int position, String keyHash, String tenant, Tier tier, List<String> attributes) {
    public Entry {
      Objects.requireNonNull(keyHash, "keyHash");
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(tier, "tier");
      attributes = List.copyOf(attributes);
    }

    /** An error about this entry that names its position, never its key. */
    public IllegalArgumentException malformed(final String why) {
      return VirtualKeySpec.malformed(position, why);
    }
  }

  /**
   * The bootstrap table of these settings: {@link #TABLE}, else the demo table in {@link
   * #DEMO_MODE}, else empty (no bootstrap keys).
   */
  public static String bootstrapTable(final Settings settings) {
    return settings.find(TABLE).orElseGet(() -> settings.get(DEMO_MODE) ? DEMO : "");
  }

  /**
   * Parses {@code key1=tenantA:balanced,key2=tenantB:frontier;rpm=60}. A key must not contain
   * {@code ,} or {@code ;}. Blank entries are skipped.
   *
   * @throws IllegalArgumentException for a malformed entry (naming its position)
   */
  public static List<Entry> parse(final String spec) {
    Objects.requireNonNull(spec, "spec");
    final List<Entry> entries = new ArrayList<>();
    final String[] parts = spec.split(",");
    for (int i = 0; i < parts.length; i++) {
      final String text = parts[i].trim();
      if (text.isEmpty()) {
        continue;
      }
      final String[] fields = text.split(";");
      final String head = fields[0].trim();
      final int position = i + 1;
      final int eq = head.lastIndexOf('=');
      if (eq <= 0) {
        throw malformed(position, "expected key=tenant:tier");
      }
      final String value = head.substring(eq + 1);
      final int colon = value.lastIndexOf(':');
      if (colon <= 0) {
        throw malformed(position, "expected tenant:tier after '='");
      }
      final String tenant = value.substring(0, colon).trim();
      if (tenant.isEmpty()) {
        throw malformed(position, "empty tenant");
      }
      final Tier tier = Tier.parse(value.substring(colon + 1))
          .orElseThrow(() -> malformed(position, "unknown tier"));
      entries.add(new Entry(position, hash(head.substring(0, eq).trim()), tenant, tier,
          Arrays.asList(fields).subList(1, fields.length)));
    }
    return entries;
  }

  /** The SHA-256 hex digest a key is stored and looked up under. */
  public static String hash(final String key) {
    Objects.requireNonNull(key, "key");
    try {
      final MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every JVM", e);
    }
  }

  /**
   * The id a key is known by on the bus and in limits and usage: a prefix of its hash, so it names
   * the key without revealing any of it.
   */
  public static String keyId(final String keyHash) {
    return "key_" + keyHash.substring(0, Math.min(KEY_ID_HASH_CHARS, keyHash.length()));
  }

  private static IllegalArgumentException malformed(final int position, final String why) {
    return new IllegalArgumentException("virtual key entry #" + position + ": " + why);
  }
}
