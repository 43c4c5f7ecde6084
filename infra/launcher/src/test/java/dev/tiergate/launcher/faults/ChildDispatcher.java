package dev.tiergate.launcher.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The dispatcher as its own JVM ({@code dev.tiergate.dispatcher.Main}, configured only by
 * environment variables, as it runs in production), so a test can kill it with SIGKILL: nothing in
 * it gets to finish, flush or commit. Its output is kept in a file the test can search.
 */
final class ChildDispatcher {

  private final Process process;
  private final Path log;

  private ChildDispatcher(final Process process, final Path log) {
    this.process = process;
    this.log = log;
  }

  static ChildDispatcher start(final Map<String, String> env, final Path log) throws IOException {
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
    return new ChildDispatcher(builder.start(), log);
  }

  /** SIGKILL on Unix: no shutdown hook, no commit, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  /** SIGTERM: the shutdown hook drains and commits. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
