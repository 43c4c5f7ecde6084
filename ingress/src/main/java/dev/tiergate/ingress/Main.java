package dev.tiergate.ingress;

import dev.tiergate.runtime.ServiceMain;
import dev.tiergate.tracing.Tracing;

/** Runs the ingress on its own, configured from the environment (see {@link IngressConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-ingress");
    ServiceMain.runAndExit("ingress", IngressConfig::fromEnv,
        config -> new IngressService(config, config.kafka().serdes()));
  }
}
