package dev.tiergate.router;

import dev.tiergate.schemas.ChatRequest;
import java.util.Objects;

/**
 * A request record after the decode step: the request, or the raw bytes that did not decode and
 * why. Never leaves the topology, so it needs no serde.
 */
sealed interface DecodedRequest {

  /** The bytes decoded into a request. */
  record Decoded(ChatRequest request) implements DecodedRequest {
    public Decoded {
      Objects.requireNonNull(request, "request");
    }
  }

  /** The bytes did not decode; they go to the dead-letter topic as they came. */
  record Undecodable(byte[] raw, String reason) implements DecodedRequest {
    public Undecodable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
