package dev.tiergate.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The process's OpenTelemetry: the SDK configured from the standard {@code OTEL_*} variables when
 * {@code OTEL_TRACES_EXPORTER} names an exporter, else the API's no-op (no spans, no headers, no
 * cost). One instance per process, held here rather than in {@code GlobalOpenTelemetry}, whose
 * first read fixes it for good: a test installs an in-memory SDK before or after the services start.
 */
public final class Tracing {

  static final String TRACES_EXPORTER = "otel.traces.exporter";

  private static volatile OpenTelemetry openTelemetry = OpenTelemetry.noop();
  private static volatile boolean configured;

  private Tracing() {}

  /**
   * Configures tracing from the environment and system properties, once per process (later calls,
   * and calls after {@link #install}, change nothing).
   *
   * @param serviceName {@code service.name} unless {@code OTEL_SERVICE_NAME} says otherwise
   */
  public static synchronized OpenTelemetry fromEnvironment(final String serviceName) {
    Objects.requireNonNull(serviceName, "serviceName");
    if (!configured) {
      configured = true;
      if (enabledBy(Tracing::setting)) {
        openTelemetry = AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> defaults(serviceName))
            .build()
            .getOpenTelemetrySdk();
      }
    }
    return openTelemetry;
  }

  /** Uses {@code sdk} from now on (tests, or a process that builds its own SDK). */
  public static synchronized void install(final OpenTelemetry sdk) {
    openTelemetry = Objects.requireNonNull(sdk, "sdk");
    configured = true;
  }

  /** The tracer of one service (its instrumentation scope, e.g. {@code tiergate-router}). */
  public static Tracer tracer(final String scope) {
    return openTelemetry.getTracer(scope);
  }

  static TextMapPropagator propagator() {
    return openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** Whether {@code OTEL_TRACES_EXPORTER} (or {@code -Dotel.traces.exporter}) asks for spans. */
  static boolean enabledBy(final Function<String, String> settings) {
    final String exporter = settings.apply(TRACES_EXPORTER);
    return exporter != null && !exporter.isBlank()
        && !"none".equals(exporter.trim().toLowerCase(Locale.ROOT));
  }

  private static String setting(final String property) {
    final String fromProperty = System.getProperty(property);
    return fromProperty != null
        ? fromProperty
        : System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
  }

  /**
   * Lowest-priority defaults (any {@code OTEL_*} variable wins): only traces are exported, since
   * metrics have their own Prometheus endpoints.
   */
  private static Map<String, String> defaults(final String serviceName) {
    return Map.of(
        "otel.service.name", serviceName,
        "otel.metrics.exporter", "none",
        "otel.logs.exporter", "none");
  }
}
