package dev.tiergate.accounting;

import dev.tiergate.runtime.ServiceMain;

/** Runs the accounting stream on its own, configured from the environment (see AccountingConfig). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    ServiceMain.runAndExit("accounting", AccountingConfig::fromEnv,
        config -> new AccountingService(config, config.kafka().serdes()));
  }
}
