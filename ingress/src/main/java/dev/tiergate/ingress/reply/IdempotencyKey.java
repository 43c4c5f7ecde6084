package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code Idempotency-Key} header and the correlation ids it stands for. A key is 1 to {@value
 * #MAX_LENGTH} printable ASCII characters (no spaces); the correlation id is derived from the tenant
 * and the key, so a repeat is the same request for the dispatcher's and accounting's
 * de-duplication. An attempt that ended with nobody served (deadline passed, client gone) is
 * followed by the next attempt's id: {@code req_idem_<hash>}, then {@code req_idem_<hash>_2}, ...
 */
public final class IdempotencyKey {

  static final String HEADER = "idempotency-key";
  static final int MAX_LENGTH = 255;
  static final String PREFIX = Ids.REQUEST_PREFIX + "idem_";
  /** After this many abandoned attempts a key is answered with the last one's outcome. */
  public static final int MAX_ATTEMPTS = 10;
  private static final int HASH_HEX_CHARS = 40;

  private IdempotencyKey() {}

  /**
   * The caller's key, if it sent one.
   *
   * @throws GatewayException (400) for a key that is too long or has characters outside {@code !}
   *     to {@code ~}
   */
  public static Optional<String> from(final HeaderLookup headers) {
    final String key = headers.get(HEADER);
    if (key == null) {
      return Optional.empty();
    }
    if (key.isEmpty() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw GatewayException.invalidRequest(
          null,
          "'Idempotency-Key' must be 1 to " + MAX_LENGTH
              + " printable ASCII characters without spaces.");
    }
    return Optional.of(key);
  }

  /** The correlation id of the given attempt (1 for the first) of this tenant's key. */
  public static String correlationId(final String tenant, final String key, final int attempt) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(key, "key");
    final String base = PREFIX + hash(tenant + '\n' + key);
    return attempt <= 1 ? base : base + "_" + attempt;
  }

  public static boolean isIdempotent(final String correlationId) {
    return correlationId != null && correlationId.startsWith(PREFIX);
  }

  private static String hash(final String text) {
    try {
      final byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
