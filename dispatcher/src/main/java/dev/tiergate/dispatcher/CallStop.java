package dev.tiergate.dispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Why one request's provider call must stop, once it must: its deadline passed or a cancel arrived
 * (the client went away). The first reason wins. {@link #signal()} emits it, so a call can be cut
 * with {@code takeUntilOther}; {@link #close()} releases the deadline timer when the request is done.
 */
final class CallStop implements AutoCloseable {

  static final String DEADLINE_EXCEEDED = "deadline_exceeded";
  static final String CLIENT_DISCONNECTED = "client_disconnected";

  private final String correlationId;
  private final AtomicReference<String> reason = new AtomicReference<>();
  private final Sinks.One<String> sink = Sinks.one();
  private final Consumer<CallStop> onClose;
  private volatile Disposable timer;

  CallStop(final String correlationId, final Consumer<CallStop> onClose) {
    this.correlationId = correlationId;
    this.onClose = onClose;
  }

  /** Stops the call at the deadline (at once when it has passed); no deadline, no timer. */
  void armDeadline(final Instant deadline, final Instant now) {
    if (deadline == null) {
      return;
    }
    final Duration left = Duration.between(now, deadline);
    if (left.isNegative() || left.isZero()) {
      stop(DEADLINE_EXCEEDED);
      return;
    }
    timer = Mono.delay(left, Schedulers.parallel()).subscribe(tick -> stop(DEADLINE_EXCEEDED));
  }

  /**
   * A stream delivered its first delta: its deadline is met. From here on a client that goes away,
   * or stops reading for the reply timeout, cancels it through the ingress.
   */
  void firstDelivered() {
    cancelDeadline();
  }

  String correlationId() {
    return correlationId;
  }

  /** Stops the call; later reasons are ignored. */
  void stop(final String why) {
    if (reason.compareAndSet(null, why)) {
      sink.tryEmitValue(why);
    }
  }

  /** The reason the call stopped, once it did. */
  Optional<String> reason() {
    return Optional.ofNullable(reason.get());
  }

  boolean stopped() {
    return reason.get() != null;
  }

  /** Emits the reason when the call must stop; never completes empty before that. */
  Mono<String> signal() {
    return sink.asMono();
  }

  @Override
  public void close() {
    cancelDeadline();
    onClose.accept(this);
  }

  private void cancelDeadline() {
    final Disposable pending = timer;
    if (pending != null) {
      pending.dispose();
    }
  }
}
