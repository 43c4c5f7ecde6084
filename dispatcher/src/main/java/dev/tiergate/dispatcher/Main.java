package dev.tiergate.dispatcher;

import dev.tiergate.runtime.ServiceMain;

/** Runs the dispatcher on its own, configured from the environment. */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    ServiceMain.runAndExit("dispatcher", DispatcherConfig::fromEnv, DispatcherService::new);
  }
}
