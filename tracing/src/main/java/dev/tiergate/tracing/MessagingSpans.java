package dev.tiergate.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.Headers;

/**
 * Spans of the OpenTelemetry messaging conventions for Kafka: a {@code send} span around a produce
 * and a {@code process} span around the handling of a consumed record, each naming its topic.
 */
public final class MessagingSpans {

  public static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  public static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  public static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  private MessagingSpans() {}

  /**
   * A {@code process <topic>} span whose parent is the trace the record carries (a new trace when
   * it carries none); the caller ends it.
   */
  public static Span process(
      final Tracer tracer, final String topic, final Headers headers, final String correlationId) {
    return process(tracer, topic, KafkaTraceHeaders.extract(headers), correlationId);
  }

  /** A {@code process <topic>} span under {@code parent}, the context a record carried. */
  public static Span process(
      final Tracer tracer, final String topic, final Context parent, final String correlationId) {
    return tracer.spanBuilder("process " + topic)
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute(SYSTEM, "kafka")
        .setAttribute(DESTINATION, topic)
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(OPERATION_NAME, "process")
        .setAttribute(MESSAGE_ID, correlationId)
        .startSpan();
  }

  /**
   * A {@code send <topic>} span under {@code parent}, already written into the record's headers as
   * its parent; the caller ends it when the broker acknowledged.
   */
  public static Span send(
      final Tracer tracer, final String topic, final Context parent, final Headers headers,
      final String correlationId) {
    final Span span = tracer.spanBuilder("send " + topic)
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent)
        .setAttribute(SYSTEM, "kafka")
        .setAttribute(DESTINATION, topic)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "send")
        .setAttribute(MESSAGE_ID, correlationId)
        .startSpan();
    KafkaTraceHeaders.inject(parent.with(span), headers);
    return span;
  }
}
