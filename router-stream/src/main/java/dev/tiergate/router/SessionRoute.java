package dev.tiergate.router;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * What the router remembers about a session: the model it last chose and that model's family, so
 * the next request can stay on it (the provider's prompt cache) and a family change can be flagged.
 * Lives only in the router's session store and its changelog, so its serde is a small versioned
 * text format rather than a registry schema.
 */
public record SessionRoute(String lastModel, String lastFamily, Instant lastRoutedAt) {

  private static final String VERSION = "v1";

  public SessionRoute {
    Objects.requireNonNull(lastModel, "lastModel");
    Objects.requireNonNull(lastRoutedAt, "lastRoutedAt");
  }

  /**
   * Whether {@code next} has to be written over this state: the session moved to another model or
   * family, or this state's time has aged by {@code refresh} or more. A session that stays on its
   * model is written at most once per {@code refresh} instead of on every request, so its stored
   * time lags its last request by less than {@code refresh} (the idle sweep allows for that).
   */
  boolean supersededBy(final SessionRoute next, final Duration refresh) {
    Objects.requireNonNull(next, "next");
    return !lastModel.equals(next.lastModel())
        || !Objects.equals(lastFamily, next.lastFamily())
        || !next.lastRoutedAt().isBefore(lastRoutedAt.plus(refresh));
  }

  /** The store's value serde: {@code v1\nmodel\nfamily\nepochMillis}, UTF-8. */
  public static Serde<SessionRoute> serde() {
    return StoreBytes.nullSafe(SessionRoute::encode, SessionRoute::decode);
  }

  static byte[] encode(final SessionRoute value) {
    final String family = value.lastFamily() == null ? "" : value.lastFamily();
    return String.join("\n", VERSION, value.lastModel(), family,
            Long.toString(value.lastRoutedAt().toEpochMilli()))
        .getBytes(StandardCharsets.UTF_8);
  }

  static SessionRoute decode(final byte[] bytes) {
    final String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != 4 || !VERSION.equals(parts[0])) {
      throw new IllegalArgumentException("not a v1 session route record");
    }
    return new SessionRoute(
        parts[1], parts[2].isEmpty() ? null : parts[2], Instant.ofEpochMilli(Long.parseLong(parts[3])));
  }
}
