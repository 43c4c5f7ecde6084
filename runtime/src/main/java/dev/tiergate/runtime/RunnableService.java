package dev.tiergate.runtime;

import java.util.Optional;

/** A Tiergate service as {@link ServiceMain} runs it: started once, closed once, watched between. */
public interface RunnableService extends AutoCloseable {

  /** Starts the service; throws when it cannot ({@link StartRefusedException} for a precondition). */
  void start();

  /**
   * Blocks until the service has stopped, because it was closed or because it failed on its own.
   *
   * @return what it failed on, empty when it was closed
   */
  Optional<Throwable> awaitStopped() throws InterruptedException;

  /** Stops the service; idempotent, bounded, callable from any thread. */
  @Override
  void close();
}
