package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the dispatchers that nobody waits for a request any more, with a {@link CancelEvent} on
 * {@code tiergate.cancels} keyed by correlation id: the dispatcher serving it aborts the provider
 * call. Best effort: a cancel that cannot be sent is logged, and the request's deadline still
 * stops the call.
 *
 * <p>Cancels are sent from a thread of their own. The callers are the request producer's callback,
 * the reply timer and the event loop, and a send can block for the producer's whole metadata wait
 * (5 s) while the broker is down: on the request producer's thread that held back every other
 * request's 503 behind it.
 */
public class CancelPublisher implements AutoCloseable {

  static final String CLIENT_DISCONNECTED = "client_disconnected";
  static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** Publishes nothing (a service built without a cancels producer). */
  public static final CancelPublisher NONE = new CancelPublisher();

  private static final Logger LOG = LoggerFactory.getLogger(CancelPublisher.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** Cancels waiting for the sending thread; beyond this they are dropped (the deadline stops). */
  private static final int MAX_QUEUED = 10_000;

  private final Producer<String, CancelEvent> producer;
  private final Clock clock;
  private final IngressMetrics metrics;
  private final ExecutorService sender;

  public CancelPublisher(
      final Producer<String, CancelEvent> producer, final Clock clock, final IngressMetrics metrics) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.sender = new ThreadPoolExecutor(
        1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_QUEUED),
        DaemonThreads.named("tiergate-cancels"),
        (task, executor) -> LOG.warn("dropped a cancel: {}",
            executor.isShutdown() ? "closed" : MAX_QUEUED + " are waiting to be sent"));
  }

  private CancelPublisher() {
    this.producer = null;
    this.clock = Clock.systemUTC();
    this.metrics = null;
    this.sender = null;
  }

  /** Publishes the cancel of this request without waiting for the producer; never throws. */
  void cancel(final ChatRequest request, final String reason) {
    if (producer == null) {
      return;
    }
    final Instant cancelledAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    sender.execute(() -> send(request, reason, cancelledAt));
  }

  private void send(final ChatRequest request, final String reason, final Instant cancelledAt) {
    final CancelEvent event =
        CancelEvent.newBuilder()
            .setCorrelationId(request.getCorrelationId())
            .setTenant(request.getTenant())
            .setReason(reason)
            .setCancelledAt(cancelledAt)
            .build();
    final ProducerRecord<String, CancelEvent> record =
        new ProducerRecord<>(Topics.CANCELS.name(), event.getCorrelationId(), event);
    TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, event.getCorrelationId());
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          LOG.warn("could not publish the cancel of {}: {}", event.getCorrelationId(), error.toString());
        }
      });
      metrics.cancelled(reason);
    } catch (RuntimeException e) {
      LOG.warn("could not publish the cancel of {}: {}", event.getCorrelationId(), e.toString());
    }
  }

  @Override
  public void close() {
    if (producer == null) {
      return;
    }
    // Queued cancels still go out on a working broker; a down one must not hold the close.
    sender.shutdown();
    try {
      if (!sender.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
    producer.close(CLOSE_TIMEOUT);
  }
}
