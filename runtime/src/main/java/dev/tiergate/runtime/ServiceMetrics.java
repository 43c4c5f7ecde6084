package dev.tiergate.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a service's metrics class is built on: the registry its meters go to, and counters and
 * latency timers cached per tag set so the hot path does one map lookup.
 */
public abstract class ServiceMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  protected ServiceMetrics(final MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  public final MeterRegistry registry() {
    return registry;
  }

  /** The counter {@code name} with these tags (name, value, name, value…), registered on first use. */
  protected final Counter counter(final String name, final String... tags) {
    return describedCounter(name, null, tags);
  }

  /** The same, with a description ({@code # HELP} in Prometheus' text) when first registered. */
  protected final Counter describedCounter(
      final String name, final String description, final String... tags) {
    return counters.computeIfAbsent(
        name + '|' + String.join("|", tags),
        key -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /**
   * The latency timer {@code name} with these tags (name, value, name, value…), registered on first
   * use with a percentile histogram whose buckets span {@code min} to {@code max}.
   */
  protected final Timer latencyTimer(
      final String name, final String description, final Duration min, final Duration max,
      final String... tags) {
    return timers.computeIfAbsent(
        name + '|' + String.join("|", tags),
        key -> Timer.builder(name)
            .description(description)
            .tags(tags)
            .publishPercentileHistogram()
            .minimumExpectedValue(min)
            .maximumExpectedValue(max)
            .register(registry));
  }
}
