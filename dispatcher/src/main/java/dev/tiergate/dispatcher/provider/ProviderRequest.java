package dev.tiergate.dispatcher.provider;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP call an adapter wants made: a path under the endpoint's base URL, headers (never the
 * credential, which the client adds) and a JSON body.
 */
public record ProviderRequest(String path, Map<String, String> headers, byte[] body) {

  public ProviderRequest {
    Objects.requireNonNull(path, "path");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /** A JSON call that asks for a stream or for one JSON answer. */
  public static ProviderRequest json(final String path, final byte[] body, final boolean stream) {
    return json(path, body, stream, Map.of());
  }

  /** A JSON call with headers of the format's own (an API version) besides the JSON ones. */
  public static ProviderRequest json(
      final String path, final byte[] body, final boolean stream, final Map<String, String> extra) {
    final Map<String, String> headers = new HashMap<>(extra);
    headers.put("content-type", "application/json");
    headers.put("accept", stream ? "text/event-stream" : "application/json");
    return new ProviderRequest(path, headers, body);
  }
}
