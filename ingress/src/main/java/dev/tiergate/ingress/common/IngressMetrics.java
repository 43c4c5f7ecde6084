package dev.tiergate.ingress.common;

import dev.tiergate.runtime.PrometheusMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The ingress's Prometheus metrics, served on the metrics port at {@code GET /metrics}: requests by
 * route, dialect and status with their latency as the ingress sees it (request in to last byte
 * out), streams open, replies pending, and the reply path's failures (timeouts, 503s, produce
 * errors, dead-lettered replies). Meters are cached per tag set so the hot path does one map
 * lookup.
 */
public final class IngressMetrics extends PrometheusMetrics {

  static final String REQUESTS = "tiergate_ingress_http_requests";
  static final String STREAMS_OPEN = "tiergate_ingress_streams_open";
  static final String PENDING = "tiergate_ingress_pending_replies";
  static final String TIMEOUTS = "tiergate_ingress_reply_timeouts";
  static final String UNAVAILABLE = "tiergate_ingress_unavailable";
  static final String PRODUCE_ERRORS = "tiergate_ingress_produce_errors";
  static final String DEAD_LETTERS = "tiergate_ingress_dead_letters";
  static final String CANCELS = "tiergate_ingress_cancels";

  /** Status tag of a request whose client went away before the reply was complete. */
  public static final String CANCELLED = "cancelled";

  private static final Duration MIN_LATENCY = Duration.ofMillis(1);
  private static final Duration MAX_LATENCY = Duration.ofMinutes(2);

  private final AtomicInteger streamsOpen = new AtomicInteger();
  private final Counter timeouts;
  private final Counter produceErrors;

  public IngressMetrics() {
    super("ingress");
    Gauge.builder(STREAMS_OPEN, streamsOpen, AtomicInteger::get)
        .description("Server-sent event streams being relayed right now")
        .register(registry());
    timeouts = Counter.builder(TIMEOUTS)
        .description("Requests (or streams) that waited longer than the reply timeout: 504")
        .register(registry());
    produceErrors = Counter.builder(PRODUCE_ERRORS)
        .description("Requests that could not be published to tiergate.requests")
        .register(registry());
  }

  /** Reports the replies waiting right now, read at scrape time. */
  public void watchPending(final IntSupplier pending) {
    Objects.requireNonNull(pending, "pending");
    Gauge.builder(PENDING, pending::getAsInt)
        .description("Requests waiting for their reply (bounded by TIERGATE_MAX_PENDING)")
        .register(registry());
  }

  /**
   * One answered HTTP request.
   *
   * @param route the route's path template (never the raw path: bounded tag values)
   * @param dialect openai, anthropic, openrouter, or none
   * @param status the HTTP status, or {@link #CANCELLED}
   */
  public void request(
      final String route, final String dialect, final String status, final Duration latency) {
    latencyTimer(REQUESTS, "HTTP requests by route, dialect and status; latency to the last byte",
        MIN_LATENCY, MAX_LATENCY, "route", route, "dialect", dialect, "status", status)
        .record(latency);
  }

  public void streamOpened() {
    streamsOpen.incrementAndGet();
  }

  public void streamClosed() {
    streamsOpen.decrementAndGet();
  }

  public void timedOut() {
    timeouts.increment();
  }

  /** A request refused or failed with 503; {@code reason} is the error code (overloaded, …). */
  public void unavailable(final String reason) {
    describedCounter(UNAVAILABLE, "Requests answered 503, by reason", "reason", reason).increment();
  }

  /** A cancel published for an abandoned request; {@code reason} is the cancel's reason. */
  public void cancelled(final String reason) {
    describedCounter(CANCELS, "Cancels published for requests nobody waits for", "reason", reason)
        .increment();
  }

  public void produceFailed() {
    produceErrors.increment();
  }

  /** An undecodable reply sent to a dead-letter topic; {@code topic} is the topic it was read from. */
  public void deadLettered(final String topic) {
    describedCounter(
            DEAD_LETTERS, "Undecodable replies sent to a dead-letter topic", "topic", topic)
        .increment();
  }
}
