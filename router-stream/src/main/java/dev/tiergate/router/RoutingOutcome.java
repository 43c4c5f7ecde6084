package dev.tiergate.router;

import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import java.util.Objects;

/**
 * What the router made of one request: a routed request for the dispatcher, or an explicit error
 * reply for the caller. Never leaves the topology, so it needs no serde.
 */
sealed interface RoutingOutcome {

  String correlationId();

  /** The request goes on to the dispatcher with its model chain. */
  record Routed(RoutedRequest routed) implements RoutingOutcome {
    public Routed {
      Objects.requireNonNull(routed, "routed");
    }

    @Override
    public String correlationId() {
      return routed.getRequest().getCorrelationId();
    }
  }

  /** No rule matched: the caller gets this error reply instead of a timeout. */
  record Unroutable(ChatResponse response) implements RoutingOutcome {
    public Unroutable {
      Objects.requireNonNull(response, "response");
    }

    @Override
    public String correlationId() {
      return response.getCorrelationId();
    }
  }
}
