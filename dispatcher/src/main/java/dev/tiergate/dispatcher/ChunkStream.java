package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The chunks of one streamed request: numbers them, publishes them in order and remembers their
 * acknowledgements, so the request counts as done only when every chunk is on Kafka. Used from one
 * thread at a time (Reactor serializes a stream's signals).
 */
final class ChunkStream {

  private final String correlationId;
  private final RoutingDecision decision;
  private final ResponsePublisher publisher;
  private final ResponseFactory factory;
  private final List<CompletableFuture<Void>> sends = new ArrayList<>();
  private int nextSequence;
  private Long providerMicros;

  /** The chunks of {@code routed}'s reply. */
  ChunkStream(final RoutedRequest routed, final ResponsePublisher publisher, final ResponseFactory factory) {
    this.correlationId = Objects.requireNonNull(routed.getRequest().getCorrelationId(), "correlationId");
    this.decision = Objects.requireNonNull(routed.getDecision(), "decision");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /** The provider's time to the first delta, carried on the first chunk (for the overhead header). */
  void providerTimeToFirstDelta(final long micros) {
    providerMicros = micros;
  }

  void delta(final StreamDelta delta, final String model) {
    publish(factory.chunk(correlationId, nextSequence++, delta, model));
  }

  /** The closing chunk: {@code last=true} with the finish reason and usage. */
  void last(final String finishReason, final Usage usage, final String model) {
    publish(factory.lastChunk(correlationId, nextSequence++, finishReason, usage, model));
  }

  private void publish(final ChatChunk chunk) {
    final ChatChunk sent = chunk.getSequence() == 0 ? factory.withDecision(chunk, decision) : chunk;
    if (chunk.getSequence() == 0) {
      sent.setProviderMicros(providerMicros);
    }
    sends.add(publisher.chunk(sent));
  }

  /** Completes when every chunk published so far is acknowledged. */
  CompletableFuture<Void> acknowledged() {
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
  }
}
