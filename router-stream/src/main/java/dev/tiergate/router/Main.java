package dev.tiergate.router;

/** Runs the router on its own, configured from the environment (see {@link RouterConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    final RouterService service = new RouterService(RouterConfig.fromEnv(System.getenv()));
    Runtime.getRuntime()
        .addShutdownHook(new Thread(service::close, "tiergate-router-shutdown"));
    service.start();
  }
}
