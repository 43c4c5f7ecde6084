package dev.tiergate.dispatcher;

import dev.tiergate.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the dispatcher on its own, configured from the environment. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(final String[] args) throws InterruptedException {
    // Off (a no-op) unless OTEL_TRACES_EXPORTER names an exporter.
    Tracing.fromEnvironment("tiergate-dispatcher");
    final DispatcherConfig config = DispatcherConfig.fromEnv(System.getenv());
    final DispatcherService service = new DispatcherService(config, config.kafka().serdes());
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "tiergate-dispatcher-shutdown"));
    service.start();
    service.awaitTermination();
    if (service.failure().isPresent()) {
      log.error("dispatcher stopped on a failure; exiting");
      service.close();
      System.exit(1);
    }
  }
}
