package dev.tiergate.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One Tiergate service as its own JVM: the same main class the deployment manifests run, configured
 * only by environment variables, so scale-out and failover run for real on one machine ({@code
 * tiergate up --instances N}, the multi-process tests). Its output goes to a log file.
 */
public final class ServiceProcess implements AutoCloseable {

  /**
   * The services and their main classes (as in infra/deploy), and the provider simulator for a
   * benchmark that keeps its sockets out of the stack's process.
   */
  public enum Kind {
    INGRESS("dev.tiergate.ingress.Main"),
    ROUTER("dev.tiergate.router.Main"),
    DISPATCHER("dev.tiergate.dispatcher.Main"),
    ACCOUNTING("dev.tiergate.accounting.Main"),
    BATCH_PROGRESS("dev.tiergate.accounting.batch.BatchMain"),
    SIMULATOR("dev.tiergate.stack.simulator.SimulatorMain");

    private final String mainClass;

    Kind(final String mainClass) {
      this.mainClass = mainClass;
    }

    public String mainClass() {
      return mainClass;
    }
  }

  private static final List<String> JVM_OPTIONS =
      List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_PAUSE = Duration.ofMillis(200);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Kind kind;
  private final int instance;
  private final Path log;
  private final Process process;

  private ServiceProcess(final Kind kind, final int instance, final Path log, final Process process) {
    this.kind = kind;
    this.instance = instance;
    this.log = log;
    this.process = process;
  }

  /** Starts {@code kind}'s main class with {@code env} on top of this process's environment. */
  public static ServiceProcess start(
      final Kind kind, final int instance, final Map<String, String> env, final Path logDir) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(env, "env");
    final Path log = logDir.resolve(kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + instance + ".log");
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), kind.mainClass()));
    final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      Files.createDirectories(logDir);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      return new ServiceProcess(kind, instance, log, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + kind + " #" + instance, e);
    }
  }

  /**
   * Waits until {@code GET health} answers 200; fails early when the process exits.
   *
   * @throws IllegalStateException when it exited or did not get healthy in time
   */
  public ServiceProcess awaitHealthy(final URI health, final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    final HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build();
    try {
      while (true) {
        try {
          if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return this;
          }
        } catch (IOException e) {
          // Not listening yet.
        }
        if (process.waitFor(POLL_PAUSE.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(this + " exited with " + process.exitValue() + "; see " + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(this + " not healthy at " + health + " within " + timeout
              + "; see " + log);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + this, e);
    }
  }

  public Kind kind() {
    return kind;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** SIGKILL: nothing in it gets to finish, flush or commit. */
  public void kill() {
    process.destroyForcibly();
    waitForExit();
  }

  /** SIGTERM (the service's shutdown hook drains and commits), then SIGKILL after a grace period. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitForExit()) {
        kill();
      }
    }
  }

  private boolean waitForExit() {
    try {
      return process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " #" + instance + " (pid " + process.pid() + ")";
  }
}
