package dev.tiergate.dispatcher.provider;

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
}
