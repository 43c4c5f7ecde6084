package dev.tiergate.ingress.common;

import dev.tiergate.tracing.HttpTraceHeaders;
import dev.tiergate.tracing.Tracing;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.context.ContextView;

/**
 * One HTTP request's trace and clock at the ingress: its server span (a child of the client's
 * {@code traceparent}, or a new trace), the {@code traceparent} reply header naming it, and the
 * {@code x-tiergate-overhead-ms} reply header: the time from the request's arrival to its reply,
 * less the provider's own time that the dispatcher reports. Travels in the Reactor context of the
 * request's chain, so the reply writers and the Kafka publish find it.
 */
public final class RequestTrace {

  static final String OVERHEAD_HEADER = "x-tiergate-overhead-ms";
  /** The reply header naming the request: its correlation id. */
  public static final String REQUEST_ID_HEADER = "x-tiergate-request-id";
  public static final String TRACER = "tiergate-ingress";
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> DIALECT = AttributeKey.stringKey("tiergate.dialect");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("tiergate.request_id");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("tiergate.outcome");

  private final Span span;
  private final long startedNanos;

  private RequestTrace(final Span span, final long startedNanos) {
    this.span = span;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts the server span of a {@code POST} (a chat request) and names it in the reply's {@code
   * traceparent} header; other methods get the clock only.
   */
  public static RequestTrace start(
      final HttpServerRequest request,
      final HttpServerResponse response,
      final String route,
      final String dialect,
      final long startedNanos) {
    final String method = request.method().name();
    if (!HttpMethod.POST.equals(request.method())) {
      // Probes and listings are not requests to a model: no span for them.
      return new RequestTrace(Span.getInvalid(), startedNanos);
    }
    final Span span = Tracing.tracer(TRACER)
        .spanBuilder(method + " " + route)
        .setSpanKind(SpanKind.SERVER)
        .setParent(HttpTraceHeaders.extract(request.requestHeaders()::get))
        .setAttribute(ROUTE, route)
        .setAttribute(METHOD, method)
        .setAttribute(DIALECT, dialect)
        .startSpan();
    HttpTraceHeaders.traceparent(span.getSpanContext())
        .ifPresent(value -> response.header(HttpTraceHeaders.TRACEPARENT, value));
    return new RequestTrace(span, startedNanos);
  }

  /**
   * The trace of the request whose chain this is; outside a metered route (a handler called
   * directly, in tests) no span, and the clock starts now.
   */
  public static RequestTrace of(final ContextView context) {
    final RequestTrace trace = context.getOrDefault(RequestTrace.class, null);
    return trace != null ? trace : new RequestTrace(Span.getInvalid(), System.nanoTime());
  }

  /** The context to parent the request's Kafka records on. */
  public Context context() {
    return Context.root().with(span);
  }

  /**
   * Sets {@code x-tiergate-overhead-ms} once, when the reply's headers are decided.
   *
   * @param providerMicros the provider's own time for this reply; null when none was called
   */
  public void overheadHeader(final HttpServerResponse http, final Long providerMicros) {
    if (http.responseHeaders().contains(OVERHEAD_HEADER)) {
      return;
    }
    final long elapsedMicros = (System.nanoTime() - startedNanos) / 1_000;
    final long overheadMicros =
        Math.max(0, elapsedMicros - (providerMicros == null ? 0 : providerMicros));
    // Milliseconds with one decimal, rounded half up; plain arithmetic, as String.format showed in
    // the ingress's profile (docs/benchmarks.md).
    final long tenths = (overheadMicros + 50) / 100;
    http.header(OVERHEAD_HEADER, tenths / 10 + "." + tenths % 10);
  }

  /** Ends the span with the status sent (a client that left is {@code cancelled}). */
  public void end(final HttpServerResponse http, final String status) {
    final String correlationId = http.responseHeaders().get(REQUEST_ID_HEADER);
    if (correlationId != null) {
      span.setAttribute(REQUEST_ID, correlationId);
    }
    try {
      final long code = Long.parseLong(status);
      span.setAttribute(STATUS, code);
      if (code >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
    } catch (NumberFormatException e) {
      span.setAttribute(OUTCOME, status);
    }
    span.end();
  }
}
