package dev.tiergate.router;

import dev.tiergate.runtime.ServiceMain;
import dev.tiergate.tracing.Tracing;

/** Runs the router on its own, configured from the environment (see {@link RouterConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-router");
    ServiceMain.runAndExit("router", RouterConfig::fromEnv, RouterService::new);
  }
}
