package dev.tiergate.runtime;

import dev.tiergate.tracing.Tracing;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a service's {@code main} runs it, with one exit policy: a bad setting or a refused
 * start ({@link StartRefusedException}) is one line on stderr and exit code 2; a failed start, or a
 * service that stops on a failure of its own, is logged and exits 1 (so an orchestrator restarts
 * it); a service stopped by a signal closes through the shutdown hook and exits normally.
 */
public final class ServiceMain {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int REFUSED = 2;

  private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  /** What a service's {@code main} calls: runs it and exits with the policy's code. */
  public static void runAndExit(final String name, final Supplier<? extends RunnableService> create) {
    final int code = run(name, create, System.err,
        hook -> Runtime.getRuntime().addShutdownHook(hook));
    if (code != OK) {
      System.exit(code);
    }
  }

  /**
   * What a service's {@code main} calls: sets up tracing as {@code tiergate-<name>} (off, a no-op,
   * unless {@code OTEL_TRACES_EXPORTER} names an exporter), reads its config from the environment
   * (a bad setting refuses the start), creates the service from it, runs it and exits with the
   * policy's code.
   */
  public static <C> void runAndExit(
      final String name, final Function<Map<String, String>, C> config,
      final Function<? super C, ? extends RunnableService> create) {
    Tracing.fromEnvironment("tiergate-" + name);
    runAndExit(name, () -> create.apply(config.apply(System.getenv())));
  }

  /**
   * Creates, starts and watches the service until it stops.
   *
   * @param shutdownHooks registers the hook that closes the service when the JVM is asked to stop
   * @return the exit code
   */
  static int run(
      final String name, final Supplier<? extends RunnableService> create, final PrintStream err,
      final Consumer<Thread> shutdownHooks) {
    Objects.requireNonNull(name, "name");
    final RunnableService service;
    try {
      service = create.get();
    } catch (IllegalArgumentException e) {
      return refuse(err, name, "a setting is wrong: " + e.getMessage());
    }
    final AtomicBoolean stopping = new AtomicBoolean();
    shutdownHooks.accept(new Thread(() -> {
      stopping.set(true);
      service.close();
    }, "tiergate-" + name + "-shutdown"));
    try {
      service.start();
    } catch (StartRefusedException e) {
      service.close();
      return refuse(err, name, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("{} failed to start", name, e);
      service.close();
      return FAILED;
    }
    return watch(name, service, stopping);
  }

  private static int watch(
      final String name, final RunnableService service, final AtomicBoolean stopping) {
    final Optional<Throwable> failure;
    try {
      failure = service.awaitStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      service.close();
      return stopping.get() ? OK : FAILED;
    }
    if (stopping.get() && failure.isEmpty()) {
      return OK;
    }
    if (failure.isPresent()) {
      LOG.error("{} stopped on a failure; exiting", name, failure.get());
    } else {
      LOG.error("{} stopped without being asked to; exiting", name);
    }
    service.close();
    return FAILED;
  }

  private static int refuse(final PrintStream err, final String name, final String why) {
    err.println("tiergate " + name + " refuses to start: " + why);
    err.flush();
    return REFUSED;
  }
}
