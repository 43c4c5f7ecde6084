package dev.tiergate.accounting;

import dev.tiergate.tracing.Tracing;

/** Runs the accounting stream on its own, configured from the environment (see AccountingConfig). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-accounting");
    final AccountingConfig config = AccountingConfig.fromEnv(System.getenv());
    final AccountingService service = new AccountingService(config, config.kafka().serdes());
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "accounting-shutdown"));
    try {
      service.start();
    } catch (NoVirtualKeysException e) {
      service.close();
      // One line an operator can act on, not a stack trace.
      System.err.println("tiergate accounting refuses to start: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }
}
