package dev.tiergate.accounting;

import dev.tiergate.runtime.ServiceMain;
import dev.tiergate.tracing.Tracing;

/** Runs the accounting stream on its own, configured from the environment (see AccountingConfig). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-accounting");
    ServiceMain.runAndExit("accounting", AccountingConfig::fromEnv,
        config -> new AccountingService(config, config.kafka().serdes()));
  }
}
