package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.ingress.common.RequestTrace;
import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.settings.Settings;
import dev.tiergate.tracing.MessagingSpans;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Request/reply over Kafka for the HTTP layer: publishes a {@link ChatRequest} and hands back its
 * reply, matched by correlation id. The pending reply is registered before the request is sent, so
 * a fast reply cannot be missed. Pending replies are bounded (503 when full), time out with a
 * scheduled removal (504) at the request's deadline, and are removed on success, error, timeout and
 * cancellation (the client went away). A request given up on (timed out, client gone) is cancelled
 * on {@code tiergate.cancels}, so its provider call stops. Closing fails everything still pending.
 */
public final class ReplyCorrelator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyCorrelator.class);

  private final Producer<String, ChatRequest> producer;
  private final IngressMetrics metrics;
  /** The cancel reason of a request the client was refused for (503) after its send timed out. */
  static final String NOT_ACCEPTED = "not_accepted";

  private final CancelPublisher cancels;
  private final Semaphore permits;
  private final ConcurrentMap<String, PendingReply> pending = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor timer;
  /** The timer, stream timeout and release every pending reply of this correlator shares. */
  private final PendingReply.Owner owner;
  private volatile boolean closed;

  /**
   * @param producer publishes to {@code tiergate.requests}; not closed by this class
   * @param timeout how long a request waits for its reply (a stream: for its next event)
   * @param maxPending requests waiting at once before new ones are refused with 503
   */
  public ReplyCorrelator(
      final Producer<String, ChatRequest> producer, final Duration timeout, final int maxPending) {
    this(producer, timeout, maxPending, new IngressMetrics());
  }

  /**
   * @param metrics counts timeouts, 503s and produce errors, and reads the pending count
   */
  public ReplyCorrelator(
      final Producer<String, ChatRequest> producer,
      final Duration timeout,
      final int maxPending,
      final IngressMetrics metrics) {
    this(producer, timeout, maxPending, metrics, CancelPublisher.NONE);
  }

  /**
   * @param cancels publishes the cancel of a request given up on; not closed by this class
   */
  public ReplyCorrelator(
      final Producer<String, ChatRequest> producer,
      final Duration timeout,
      final int maxPending,
      final IngressMetrics metrics,
      final CancelPublisher cancels) {
    this.cancels = Objects.requireNonNull(cancels, "cancels");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    Settings.requirePositive(maxPending, "maxPending");
    this.permits = new Semaphore(maxPending);
    this.timer =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("tiergate-reply-timeouts"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.owner = new PendingReply.Owner(
        timer, Objects.requireNonNull(timeout, "timeout"), this::release, metrics::timedOut);
    metrics.watchPending(pending::size);
  }

  /**
   * Publishes the request and completes with its final response; fails with a {@link
   * GatewayException} (503 overloaded or unavailable, 504 timeout).
   */
  public Mono<ChatResponse> call(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return events(request, false)
        .ofType(ReplyEvent.Final.class)
        .map(ReplyEvent.Final::response)
        .next();
  }

  /**
   * Publishes the request and relays its streaming chunks and final response; completes when the
   * stream is done (see {@link PendingReply}).
   */
  public Flux<ReplyEvent> stream(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return events(request, true);
  }

  /** Publishes a plain request and relays its final response as one event. */
  public Flux<ReplyEvent> events(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return events(request, false);
  }

  /** Whether a request with this correlation id waits for its reply on this instance. */
  public boolean isPending(final String correlationId) {
    return pending.containsKey(correlationId);
  }

  private Flux<ReplyEvent> events(final ChatRequest request, final boolean streaming) {
    // Registration and send run off the caller's thread: send can block on metadata.
    return Flux.<ReplyEvent>create(sink -> register(request, streaming, sink))
        .subscribeOn(Schedulers.boundedElastic());
  }

  private void register(
      final ChatRequest request, final boolean streaming, final FluxSink<ReplyEvent> sink) {
    if (closed) {
      refuse(sink, GatewayException.shuttingDown());
      return;
    }
    if (!permits.tryAcquire()) {
      refuse(sink, GatewayException.overloaded());
      return;
    }
    final String id = request.getCorrelationId();
    final PendingReply entry =
        new PendingReply(id, streaming, sink, owner, reason -> cancels.cancel(request, reason));
    if (pending.putIfAbsent(id, entry) != null) {
      permits.release();
      sink.error(new IllegalStateException("correlation id already pending: " + id));
      return;
    }
    sink.onDispose(entry::cancel);
    if (closed) {
      metrics.unavailable(GatewayException.shuttingDown().code());
      entry.fail(GatewayException.shuttingDown());
      return;
    }
    entry.armTimeout(firstWait(request));
    publish(request, entry, RequestTrace.of(sink.contextView()).context());
  }

  /** Until the request's deadline (the first event of a stream), else the reply timeout. */
  private Duration firstWait(final ChatRequest request) {
    final Duration timeout = owner.timeout();
    final java.time.Instant deadline = request.getDeadline();
    if (deadline == null) {
      return timeout;
    }
    final Duration left = Duration.between(java.time.Instant.now(), deadline);
    return left.compareTo(timeout) < 0 ? left : timeout;
  }

  /** Sends the request with its trace (the ingress span's context) in the record's headers. */
  private void publish(final ChatRequest request, final PendingReply entry, final Context trace) {
    final ProducerRecord<String, ChatRequest> record =
        new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request);
    TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, entry.correlationId());
    final Span send = MessagingSpans.send(
        Tracing.tracer(RequestTrace.TRACER), Topics.REQUESTS.name(), trace, record.headers(),
        entry.correlationId());
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              LOG.warn("could not publish request {}", entry.correlationId(), error);
              send.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
              publishFailed(request, entry, error);
            }
            send.end();
          });
    } catch (RuntimeException e) {
      LOG.warn("could not publish request {}", entry.correlationId(), e);
      send.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      send.end();
      publishFailed(request, entry, e);
    }
  }

  /**
   * 413 for a request record larger than the bus carries (BusLimits), else 503. A send that timed
   * out may still have reached the log (its acknowledgement was what got lost, e.g. while a broker
   * failed over), so the request is also cancelled: the client was told to retry, and its first
   * copy must not be served and billed as well.
   */
  private void publishFailed(
      final ChatRequest request, final PendingReply entry, final Throwable cause) {
    final boolean tooLarge = cause instanceof RecordTooLargeException;
    final GatewayException error = tooLarge
        ? GatewayException.tooLarge(BusLimits.MAX_REQUEST_RECORD_BYTES)
        : GatewayException.publishFailed();
    if (!tooLarge) {
      cancels.cancel(request, NOT_ACCEPTED);
    }
    metrics.produceFailed();
    metrics.unavailable(error.code());
    entry.fail(error);
  }

  private void refuse(final FluxSink<ReplyEvent> sink, final GatewayException error) {
    metrics.unavailable(error.code());
    sink.error(error);
  }

  /** Idempotent: only the first removal frees the slot. */
  private void release(final PendingReply entry) {
    if (pending.remove(entry.correlationId(), entry)) {
      permits.release();
    }
  }

  /** Completes the pending request with this correlation id; replies for other ids are ignored. */
  public void onResponse(final ChatResponse response) {
    Objects.requireNonNull(response, "response");
    final PendingReply entry = pending.get(response.getCorrelationId());
    if (entry == null) {
      LOG.trace("ignoring response for {}: not pending here", response.getCorrelationId());
      return;
    }
    entry.onResponse(response);
  }

  /** Relays a streaming chunk to its pending stream; chunks for no pending stream are ignored. */
  public void onChunk(final ChatChunk chunk) {
    Objects.requireNonNull(chunk, "chunk");
    final PendingReply entry = pending.get(chunk.getCorrelationId());
    if (entry != null) {
      entry.onChunk(chunk);
    }
  }

  /** Requests currently waiting for a reply. */
  public int pendingCount() {
    return pending.size();
  }

  /** Fails every pending request with 503 and refuses new ones. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending.values().forEach(entry -> {
      metrics.unavailable(GatewayException.shuttingDown().code());
      entry.fail(GatewayException.shuttingDown());
    });
    timer.shutdownNow();
  }
}
