package dev.tiergate.dispatcher;

import dev.tiergate.schemas.RoutedRequest;
import reactor.core.publisher.Mono;

/**
 * Serves one routed request end to end. The returned {@link Mono} completes only once everything
 * the request produces (chunks, response, usage) is acknowledged by Kafka, and errors only when
 * publishing failed; provider failures end in an error response, not an error signal.
 */
@FunctionalInterface
public interface RoutedRequestHandler {

  Mono<Void> handle(RoutedRequest routed);
}
