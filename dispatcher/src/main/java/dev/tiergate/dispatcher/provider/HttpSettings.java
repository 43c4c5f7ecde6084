package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * HTTP limits for provider calls.
 *
 * @param connectTimeout to open a connection
 * @param responseTimeout longest silence while waiting for or reading a response (a stream that
 *     stalls this long is cut)
 * @param totalTimeout longest one attempt may take, from sending to the last byte
 * @param maxConnections connection pool size per provider host
 */
public record HttpSettings(
    Duration connectTimeout, Duration responseTimeout, Duration totalTimeout, int maxConnections) {

  public HttpSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    Objects.requireNonNull(totalTimeout, "totalTimeout");
    Settings.requirePositive(maxConnections, "maxConnections");
  }
}
