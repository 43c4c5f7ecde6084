package dev.tiergate.runtime;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Metrics a service serves itself at {@code GET /metrics}: a Prometheus registry of its own, never
 * the global one, so embedded services never mix; every meter tagged with the service, plus the
 * JVM's memory.
 */
public abstract class PrometheusMetrics extends ServiceMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry prometheus;

  protected PrometheusMetrics(final String service) {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), service);
  }

  private PrometheusMetrics(final PrometheusMeterRegistry registry, final String service) {
    super(registry);
    this.prometheus = registry;
    registry.config().commonTags("service", service);
    new JvmMemoryMetrics().bindTo(registry);
  }

  /** The Prometheus text exposition of every metric. */
  public final String scrape() {
    return prometheus.scrape();
  }

  @Override
  public void close() {
    prometheus.close();
  }
}
