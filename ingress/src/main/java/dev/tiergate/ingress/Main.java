package dev.tiergate.ingress;

import dev.tiergate.runtime.ServiceMain;

/** Runs the ingress on its own, configured from the environment (see {@link IngressConfig}). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    ServiceMain.runAndExit("ingress", IngressConfig::fromEnv,
        config -> new IngressService(config, config.kafka().serdes()));
  }
}
