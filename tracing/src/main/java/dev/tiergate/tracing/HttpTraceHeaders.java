package dev.tiergate.tracing;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** W3C trace context of an HTTP request, and the {@code traceparent} a reply names. */
public final class HttpTraceHeaders {

  /** The W3C header naming a trace and a span in it. */
  public static final String TRACEPARENT = "traceparent";

  private static final TextMapGetter<Function<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(final Function<String, String> headers) {
      return List.of(TRACEPARENT, "tracestate");
    }

    @Override
    public String get(final Function<String, String> headers, final String key) {
      return headers == null ? null : headers.apply(key);
    }
  };

  private HttpTraceHeaders() {}

  /** The client's trace context, from a header lookup by name; root when it sent none. */
  public static Context extract(final Function<String, String> headers) {
    return Tracing.propagator().extract(Context.root(), headers, GETTER);
  }

  /** {@code 00-<trace id>-<span id>-<flags>} for a valid span context; empty otherwise. */
  public static Optional<String> traceparent(final SpanContext span) {
    if (!span.isValid()) {
      return Optional.empty();
    }
    return Optional.of("00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
        + span.getTraceFlags().asHex());
  }
}
