package dev.tiergate.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Deterministic ids for batch work. A batch id derived from the input's content, and an item's
 * correlation id derived from (batch id, custom id), make a re-submitted file and a replayed item
 * recognisable: the same input always yields the same ids, so the CLI finds the existing batch, the
 * dispatcher can drop a repeated request and the progress stream counts an answer once.
 */
public final class BatchIds {

  public static final String BATCH_PREFIX = "batch_";
  public static final String REQUEST_PREFIX = "req_";
  public static final String SESSION_PREFIX = "sess_";

  /** 128 bits of SHA-256: collision-free in practice, short enough to type. */
  private static final int ID_HEX_CHARS = 32;

  private BatchIds() {}

  /** The batch id of an input file: {@code batch_} + a digest of its bytes. */
  public static String batchIdForContent(final byte[] content) {
    Objects.requireNonNull(content, "content");
    return BATCH_PREFIX + sha256Hex(content).substring(0, ID_HEX_CHARS);
  }

  /** The SHA-256 of the input, in lower-case hex. */
  public static String sha256Hex(final byte[] content) {
    Objects.requireNonNull(content, "content");
    return HexFormat.of().formatHex(digest().digest(content));
  }

  /** The correlation id of one item: the same batch id and custom id always give the same id. */
  public static String itemCorrelationId(final String batchId, final String customId) {
    return REQUEST_PREFIX + itemHash(batchId, customId);
  }

  /**
   * The session (and record key) of one item. Items are independent, so each is its own session:
   * that spreads a batch over every partition instead of serialising it on one.
   */
  public static String itemSessionId(final String batchId, final String customId) {
    return SESSION_PREFIX + itemHash(batchId, customId);
  }

  /** A caller-given batch id, normalised to carry the {@code batch_} prefix. */
  public static String normaliseBatchId(final String given) {
    Objects.requireNonNull(given, "given");
    final String trimmed = given.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("batch id must not be blank");
    }
    return trimmed.toLowerCase(Locale.ROOT).startsWith(BATCH_PREFIX) ? trimmed : BATCH_PREFIX + trimmed;
  }

  private static String itemHash(final String batchId, final String customId) {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(customId, "customId");
    // A separator that cannot be confused with content keeps (a, bc) and (ab, c) apart.
    final byte[] input = (batchId + '\u0000' + customId).getBytes(StandardCharsets.UTF_8);
    return sha256Hex(input).substring(0, ID_HEX_CHARS);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
