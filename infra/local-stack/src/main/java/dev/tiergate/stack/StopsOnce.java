package dev.tiergate.stack;

/**
 * A local resource that is stopped once: {@link #close()} may be called more than once and from
 * several threads (a shutdown hook and the owner); the first call stops it, a concurrent one waits
 * for that stop to finish, later ones return at once.
 */
public abstract class StopsOnce implements AutoCloseable {

  private boolean closed;

  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
  }

  /** Stops the resource; called once, holding this object's lock. */
  protected abstract void stop();
}
