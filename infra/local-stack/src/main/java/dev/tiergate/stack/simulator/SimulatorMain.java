package dev.tiergate.stack.simulator;

/**
 * Runs the provider simulator as its own process, configured from {@code SIMULATOR_*} environment
 * variables (see {@link SimulatorConfig#fromEnv}), until the process is stopped.
 */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(final String[] args) {
    final ProviderSimulator simulator =
        ProviderSimulator.start(SimulatorConfig.fromEnv(System.getenv()));
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
    simulator.awaitClose();
  }
}
