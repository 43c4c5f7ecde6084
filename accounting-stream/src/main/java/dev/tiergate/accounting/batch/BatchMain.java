package dev.tiergate.accounting.batch;

/**
 * Runs the batch-progress stream on its own, configured from the environment (see BatchConfig); the
 * same shape as the accounting stream's {@code Main}.
 */
public final class BatchMain {

  private BatchMain() {}

  public static void main(final String[] args) {
    final BatchConfig config = BatchConfig.fromEnv(System.getenv());
    final BatchProgressService service = new BatchProgressService(config, config.kafka().serdes());
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "batch-progress-shutdown"));
    try {
      service.start();
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }
}
