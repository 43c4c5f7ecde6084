package dev.tiergate.dispatcher;

import dev.tiergate.runtime.ServiceMain;
import dev.tiergate.tracing.Tracing;

/** Runs the dispatcher on its own, configured from the environment. */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-dispatcher");
    ServiceMain.runAndExit("dispatcher", DispatcherConfig::fromEnv, DispatcherService::new);
  }
}
