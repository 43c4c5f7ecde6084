package dev.tiergate.router;

import dev.tiergate.runtime.ServiceMain;

/** Runs the router on its own, configured from the environment (see {@link RouterConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    ServiceMain.runAndExit("router", RouterConfig::fromEnv, RouterService::new);
  }
}
