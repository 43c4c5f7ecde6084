package dev.tiergate.ingress;

import dev.tiergate.tracing.Tracing;

/** Runs the ingress on its own, configured from the environment (see {@link IngressConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-ingress");
    final IngressConfig config = IngressConfig.fromEnv(System.getenv());
    final IngressService service = new IngressService(config, config.kafka().serdes());
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "tiergate-ingress-shutdown"));
    try {
      service.start();
    } catch (NoVirtualKeysException e) {
      service.close();
      // One line an operator can act on, not a stack trace.
      System.err.println("tiergate ingress refuses to start: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      // The producer's network thread would otherwise keep the JVM alive after a failed start.
      service.close();
      throw e;
    }
    service.awaitClose();
  }
}
