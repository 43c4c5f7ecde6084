package dev.tiergate.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) in Kafka record headers, so one
 * request's spans share a trace across every topic it crosses. A no-op while tracing is off.
 */
public final class KafkaTraceHeaders {

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(final Headers headers) {
      final List<String> keys = new ArrayList<>();
      headers.forEach(header -> keys.add(header.key()));
      return keys;
    }

    @Override
    public String get(final Headers headers, final String key) {
      if (headers == null) {
        return null;
      }
      final Header header = headers.lastHeader(key);
      return header == null || header.value() == null
          ? null
          : new String(header.value(), StandardCharsets.UTF_8);
    }
  };

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    if (headers != null) {
      headers.remove(key);
      headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  };

  private KafkaTraceHeaders() {}

  /** The trace context a record carries; {@link Context#root()} when it carries none. */
  public static Context extract(final Headers headers) {
    return Tracing.propagator().extract(Context.root(), headers, GETTER);
  }

  /** Writes {@code context}'s span as the record's parent, replacing any it carried. */
  public static void inject(final Context context, final Headers headers) {
    Tracing.propagator().inject(context, headers, SETTER);
  }
}
