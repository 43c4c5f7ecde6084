package dev.tiergate.bench;

import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns tracing on and off in the benchmark's process (the embedded stack's four services look up
 * their tracer per span): on is the SDK at 100 % sampling with the batch span processor, as
 * autoconfiguration sets it up, and an exporter that counts the spans and drops them, so the
 * measure is the services' own cost (spans, attributes, context in headers, batching), not a
 * collector's network.
 */
final class TracingSwitch implements AutoCloseable {

  private final AtomicLong exported = new AtomicLong();
  private OpenTelemetrySdk sdk;

  void on() {
    off();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(BatchSpanProcessor.builder(new CountingExporter()).build())
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    Tracing.install(sdk);
  }

  void off() {
    Tracing.install(OpenTelemetry.noop());
    if (sdk != null) {
      sdk.close();
      sdk = null;
    }
  }

  /** Spans exported (and dropped) since this switch was made. */
  long exported() {
    return exported.get();
  }

  @Override
  public void close() {
    off();
  }

  private final class CountingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(final Collection<SpanData> spans) {
      exported.addAndGet(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
