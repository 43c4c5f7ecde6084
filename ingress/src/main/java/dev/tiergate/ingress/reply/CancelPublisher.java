package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the dispatchers that nobody waits for a request any more, with a {@link CancelEvent} on
 * {@code tiergate.cancels} keyed by correlation id: the dispatcher serving it aborts the provider
 * call. Best effort: a cancel that cannot be sent is logged, and the request's deadline still
 * stops the call.
 */
public class CancelPublisher implements AutoCloseable {

  static final String CLIENT_DISCONNECTED = "client_disconnected";
  static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** Publishes nothing (a service built without a cancels producer). */
  public static final CancelPublisher NONE = new CancelPublisher();

  private static final Logger LOG = LoggerFactory.getLogger(CancelPublisher.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Producer<String, CancelEvent> producer;
  private final Clock clock;
  private final IngressMetrics metrics;

  public CancelPublisher(
      final Producer<String, CancelEvent> producer, final Clock clock, final IngressMetrics metrics) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  private CancelPublisher() {
    this.producer = null;
    this.clock = Clock.systemUTC();
    this.metrics = null;
  }

  /** Publishes the cancel of this request; never throws. */
  void cancel(final ChatRequest request, final String reason) {
    if (producer == null) {
      return;
    }
    final CancelEvent event =
        CancelEvent.newBuilder()
            .setCorrelationId(request.getCorrelationId())
            .setTenant(request.getTenant())
            .setReason(reason)
            .setCancelledAt(clock.instant().truncatedTo(ChronoUnit.MILLIS))
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
    if (producer != null) {
      producer.close(CLOSE_TIMEOUT);
    }
  }
}
