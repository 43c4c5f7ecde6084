package dev.tiergate.accounting;

import dev.tiergate.runtime.PrometheusMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The service's Prometheus metrics, served at {@code GET /metrics}: HTTP requests and latency per
 * route and status, stream-thread failures, and every Kafka Streams client metric (consumer lag as
 * {@code kafka_consumer_fetch_manager_records_lag_max}, records late for their window as {@code
 * kafka_stream_task_dropped_records_total}, commit latency, state-store metrics).
 */
public final class AccountingMetrics extends PrometheusMetrics {

  private final Counter threadFailures;
  private KafkaStreamsMetrics streamsMetrics;

  public AccountingMetrics() {
    super("accounting");
    threadFailures = Counter.builder("tiergate_accounting_stream_thread_failures")
        .description("Stream threads that failed and were replaced")
        .register(registry());
  }

  /** Binds the Streams client metrics; call once the app is created. */
  public void bind(final KafkaStreams streams) {
    Objects.requireNonNull(streams, "streams");
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry());
  }

  /** Records one answered HTTP request. */
  public void request(final String route, final int status, final Duration latency) {
    Timer.builder("tiergate_accounting_http_requests")
        .description("Query API requests by route and status")
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .register(registry())
        .record(latency);
  }

  /**
   * The spend rate: micro-dollars booked per tier, billed or duplicate (platform cost). Reported as
   * usage is booked, so a retried transaction can count twice here, never in the books.
   */
  public SpendMeter spendMeter() {
    return (tier, costMicros, duplicate) -> Counter.builder("tiergate_accounting_cost_micros")
        .description("Micro-dollars of usage booked, by tier; billed=false is platform cost")
        .tag("tier", tier)
        .tag("billed", Boolean.toString(!duplicate))
        .register(registry())
        .increment(costMicros);
  }

  public void threadFailed() {
    threadFailures.increment();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    super.close();
  }
}
