package dev.tiergate.router;

import dev.tiergate.tracing.Tracing;

/** Runs the router on its own, configured from the environment (see {@link RouterConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-router");
    final RouterService service = new RouterService(RouterConfig.fromEnv(System.getenv()));
    Runtime.getRuntime()
        .addShutdownHook(new Thread(service::close, "tiergate-router-shutdown"));
    service.start();
  }
}
