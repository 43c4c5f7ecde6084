package dev.tiergate.accounting.batch;

import dev.tiergate.runtime.ServiceMain;

/**
 * Runs the batch-progress stream on its own, configured from the environment (see BatchConfig); the
 * same shape as the accounting stream's {@code Main}.
 */
public final class BatchMain {

  private BatchMain() {}

  public static void main(final String[] args) {
    ServiceMain.runAndExit("batch-progress", () -> {
      final BatchConfig config = BatchConfig.fromEnv(System.getenv());
      return new BatchProgressService(config, config.kafka().serdes());
    });
  }
}
