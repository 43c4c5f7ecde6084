package dev.tiergate.runtime;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/** Helper threads of a service that do not keep its JVM alive once the service has stopped. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** Makes daemon threads with this name (as thread dumps and the CPU report show them). */
  public static ThreadFactory named(final String name) {
    Objects.requireNonNull(name, "name");
    return task -> {
      final Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
