package dev.tiergate.accounting;

/** Runs the accounting stream on its own, configured from the environment (see AccountingConfig). */
public final class Main {

  private Main() {}

  public static void main(final String[] args) {
    final AccountingConfig config = AccountingConfig.fromEnv(System.getenv());
    final AccountingService service = new AccountingService(config, config.kafka().serdes());
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "accounting-shutdown"));
    try {
      service.start();
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }
}
