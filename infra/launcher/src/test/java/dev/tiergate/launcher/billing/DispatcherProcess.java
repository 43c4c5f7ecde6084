package dev.tiergate.launcher.billing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A dispatcher in its own JVM ({@code dev.tiergate.dispatcher.Main}, configured by environment
 * variables only, as in production), so a test can stop it with SIGTERM or see it halt; its output
 * goes to a file the test can search.
 */
final class DispatcherProcess {

  private final Process process;
  private final Path log;

  private DispatcherProcess(final Process process, final Path log) {
    this.process = process;
    this.log = log;
  }

  static DispatcherProcess start(final Map<String, String> env, final Path log) throws IOException {
    Objects.requireNonNull(env, "env");
    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final ProcessBuilder builder =
        new ProcessBuilder(
            List.of(
                java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "dev.tiergate.dispatcher.Main"));
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new DispatcherProcess(builder.start(), log);
  }

  /** SIGTERM: the shutdown hook lets calls in flight finish and commits them. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      kill();
    }
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
