package dev.tiergate.accounting;

import dev.tiergate.schemas.SerdeFactory;
import java.util.concurrent.CountDownLatch;

/**
 * The accounting service in a JVM of its own, configured from the environment like {@link Main}
 * but with the registry-free serdes the broker tests use, so a test can kill it with SIGKILL: a
 * crash in the middle of a transaction, not a clean close.
 */
public final class AccountingChildProcess {

  private AccountingChildProcess() {}

  public static void main(final String[] args) throws InterruptedException {
    final AccountingConfig config = AccountingConfig.fromEnv(System.getenv());
    final AccountingService service = new AccountingService(config, SerdeFactory.schemaless());
    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }, "accounting-child-shutdown"));
    service.start();
    stopped.await();
  }
}
