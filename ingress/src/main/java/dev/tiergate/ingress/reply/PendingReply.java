package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import reactor.core.publisher.FluxSink;

/**
 * One request waiting for its reply, and the rules for when it is done. A plain request is done at
 * its final response. A stream is done at its last chunk, or at the final response when that comes
 * first (the response carries the whole answer) or carries an error. Its timeout restarts with every
 * event, so a long stream that keeps talking does not time out; the first wait ends at the
 * request's deadline. The entry is released (removed from the pending map) before its subscriber
 * hears the outcome. A request abandoned before it is done (timed out, or its client went away) is
 * reported with the reason, so its provider call can be cancelled.
 */
final class PendingReply {

  /**
   * What every pending reply of one correlator shares.
   *
   * @param timer runs the timeouts
   * @param timeout the wait for each later event of a stream
   * @param release frees the entry's slot (removes it from the pending map)
   * @param onTimeout counts a timeout
   */
  record Owner(
      ScheduledExecutorService timer,
      Duration timeout,
      Consumer<PendingReply> release,
      Runnable onTimeout) {}

  private final String correlationId;
  private final boolean streaming;
  private final FluxSink<ReplyEvent> sink;
  private final Owner owner;
  private final Consumer<String> onAbandoned;

  private ScheduledFuture<?> timeoutTask;
  private boolean chunkSeen;
  private boolean done;

  /**
   * @param onAbandoned called with {@code deadline_exceeded} or {@code client_disconnected} when the
   *     request is given up before it is done
   */
  PendingReply(
      final String correlationId,
      final boolean streaming,
      final FluxSink<ReplyEvent> sink,
      final Owner owner,
      final Consumer<String> onAbandoned) {
    this.correlationId = correlationId;
    this.streaming = streaming;
    this.sink = sink;
    this.owner = owner;
    this.onAbandoned = onAbandoned;
  }

  String correlationId() {
    return correlationId;
  }

  /** (Re)starts the wait for the next event; the first wait ends at the request's deadline. */
  synchronized void armTimeout(final Duration wait) {
    if (done) {
      return;
    }
    cancelTimeout();
    try {
      timeoutTask =
          owner.timer().schedule(
              this::expire, Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The timer only rejects once the correlator is closing.
      fail(GatewayException.shuttingDown());
    }
  }

  private synchronized void expire() {
    if (done) {
      return;
    }
    owner.onTimeout().run();
    onAbandoned.accept(CancelPublisher.DEADLINE_EXCEEDED);
    fail(GatewayException.timeout());
  }

  synchronized void cancelTimeout() {
    if (timeoutTask != null) {
      timeoutTask.cancel(false);
      timeoutTask = null;
    }
  }

  /** The subscriber went away (or is done): stop the timer and free the slot. */
  synchronized void cancel() {
    final boolean abandoned = !done;
    end();
    if (abandoned) {
      onAbandoned.accept(CancelPublisher.CLIENT_DISCONNECTED);
    }
  }

  synchronized void onChunk(final ChatChunk chunk) {
    if (done || !streaming) {
      return;
    }
    chunkSeen = true;
    deliver(new ReplyEvent.Chunk(chunk), chunk.getLast());
  }

  synchronized void onResponse(final ChatResponse response) {
    if (done) {
      return;
    }
    // A streamed reply with chunks ends with its last chunk; any other ends with its response.
    final boolean last = !streaming || !chunkSeen || response.getError() != null;
    deliver(new ReplyEvent.Final(response), last);
  }

  /** Sends the event: the last one finishes the reply, any other restarts the timeout. */
  private void deliver(final ReplyEvent event, final boolean last) {
    if (last) {
      finish(event);
    } else {
      sink.next(event);
      armTimeout(owner.timeout());
    }
  }

  synchronized void fail(final RuntimeException error) {
    if (done) {
      return;
    }
    end();
    sink.error(error);
  }

  /**
   * Done before the last event goes out: a subscriber that takes it and cancels (a plain call
   * takes the first final response) must not look like a client that went away.
   */
  private void finish(final ReplyEvent last) {
    end();
    sink.next(last);
    sink.complete();
  }

  /** Nothing more is awaited: stops the timer and frees the slot. */
  private void end() {
    done = true;
    cancelTimeout();
    owner.release().accept(this);
  }
}
