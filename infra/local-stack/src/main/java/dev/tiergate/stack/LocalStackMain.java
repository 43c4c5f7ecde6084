package dev.tiergate.stack;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the local stack on its own (broker, registry, topics) until the process is stopped, for
 * running services from an IDE or a shell against it. Usage: {@code LocalStackMain [dataDir]}
 * (default {@code .tiergate/local-stack}, kept between runs).
 */
public final class LocalStackMain {

  private LocalStackMain() {}

  public static void main(final String[] args) throws InterruptedException {
    final Path dataDir = Paths.get(args.length > 0 ? args[0] : ".tiergate/local-stack");
    final LocalStack stack = LocalStack.start(dataDir);
    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.close();
                  stopped.countDown();
                },
                "local-stack-shutdown"));
    stopped.await();
  }
}
