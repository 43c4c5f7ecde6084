package dev.tiergate.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingTest {

  private static final String CLIENT_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @AfterEach
  void off() {
    Tracing.install(OpenTelemetry.noop());
  }

  @Test
  void isOffUnlessAnExporterIsNamed() {
    assertThat(Tracing.enabledBy(Map.<String, String>of()::get)).isFalse();
    assertThat(Tracing.enabledBy(Map.of(Tracing.TRACES_EXPORTER, "none")::get)).isFalse();
    assertThat(Tracing.enabledBy(Map.of(Tracing.TRACES_EXPORTER, " ")::get)).isFalse();
    assertThat(Tracing.enabledBy(Map.of(Tracing.TRACES_EXPORTER, "logging-otlp")::get)).isTrue();
    assertThat(Tracing.enabledBy(Map.of(Tracing.TRACES_EXPORTER, "otlp")::get)).isTrue();
  }

  @Test
  void offWritesNoHeadersAndMakesNoSpans() {
    final RecordHeaders headers = new RecordHeaders();
    final Span span = MessagingSpans.send(
        Tracing.tracer("test"), "tiergate.requests", Context.root(), headers, "req_1");
    span.end();
    assertThat(span.getSpanContext().isValid()).isFalse();
    assertThat(headers.toArray()).isEmpty();
  }

  @Test
  void processSpanContinuesTheTraceARecordCarries() {
    final InMemorySpanExporter spans = install();
    final RecordHeaders headers = new RecordHeaders();
    headers.add(HttpTraceHeaders.TRACEPARENT, CLIENT_PARENT.getBytes());

    final Span process = MessagingSpans.process(Tracing.tracer("test"), "tiergate.routed", headers, "req_1");
    final Span send = MessagingSpans.send(
        Tracing.tracer("test"), "tiergate.responses", Context.root().with(process), headers, "req_1");
    send.end();
    process.end();

    final SpanData processed = spans.getFinishedSpanItems().get(1);
    assertThat(processed.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(processed.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(processed.getAttributes().get(MessagingSpans.DESTINATION)).isEqualTo("tiergate.routed");
    final SpanContext sent = send.getSpanContext();
    assertThat(KafkaTraceHeaders.extract(headers))
        .extracting(context -> Span.fromContext(context).getSpanContext().getSpanId())
        .isEqualTo(sent.getSpanId());
    assertThat(HttpTraceHeaders.traceparent(sent))
        .contains("00-0af7651916cd43dd8448eb211c80319c-" + sent.getSpanId() + "-01");
  }

  @Test
  void httpHeadersGiveTheClientsTrace() {
    install();
    final Context context = HttpTraceHeaders.extract(Map.of("traceparent", CLIENT_PARENT)::get);
    assertThat(Span.fromContext(context).getSpanContext().getTraceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(Span.fromContext(HttpTraceHeaders.extract(name -> null)).getSpanContext().isValid())
        .isFalse();
  }

  private static InMemorySpanExporter install() {
    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing.install(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build());
    return exporter;
  }
}
