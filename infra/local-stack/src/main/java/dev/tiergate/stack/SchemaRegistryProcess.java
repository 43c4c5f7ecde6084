package dev.tiergate.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packaged Apicurio Registry ({@code infra/schema-registry}) as a child JVM on a free loopback
 * port. A separate process because the registry is a Quarkus 2 app whose dependencies (Jackson,
 * Netty, Kafka clients) clash with ours; it serves the Confluent-compatible API our serdes use.
 */
public final class SchemaRegistryProcess extends StopsOnce {

  /** System property naming the registry's {@code quarkus-run.jar}; wins over the env var. */
  public static final String APP_PROPERTY = "tiergate.registry.app";
  /** Environment variable naming the registry's {@code quarkus-run.jar}. */
  public static final String APP_ENV = "TIERGATE_REGISTRY_APP";
  /** Where the reactor build leaves the app, relative to the repository root. */
  public static final Path APP_IN_REPO =
      Paths.get("infra", "schema-registry", "target", "quarkus-app", "quarkus-run.jar");
  /** How long the registry may take to answer {@code /health/ready} (4–9 s on a busy machine). */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);
  /** System property overriding the startup timeout, in seconds; wins over the env var. */
  public static final String STARTUP_TIMEOUT_PROPERTY = "tiergate.registry.startup-timeout-seconds";
  /** Environment variable overriding the startup timeout, in seconds (slow or loaded machines). */
  public static final String STARTUP_TIMEOUT_ENV = "TIERGATE_REGISTRY_STARTUP_TIMEOUT_SECONDS";

  /**
   * Environment variable naming a class-data sharing archive for the registry's JVM: mapped when the
   * file exists, written when the registry exits otherwise. {@code ./tiergate up} sets it, because
   * the registry's start runs beside the broker's and is often the longer of the two.
   */
  public static final String CDS_ARCHIVE_ENV = "TIERGATE_REGISTRY_CDS_ARCHIVE";

  /** The registry's own setting for its database (in-memory H2 when unset). */
  private static final String DATASOURCE_ENV = "REGISTRY_DATASOURCE_URL";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryProcess.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long the JVM's exit waits for the owner to stop the registry before its hook does: less
   * than the 30 s Surefire gives a forked test JVM to exit, so a registry nobody closed still goes.
   */
  private static final Duration EXIT_GRACE = Duration.ofSeconds(20);

  private final Process process;
  private final String url;
  private final Path logFile;
  private final Thread shutdownHook;

  private SchemaRegistryProcess(final Process process, final String url, final Path logFile) {
    this.process = process;
    this.url = url;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::stopAtExit, "schema-registry-shutdown");
  }

  /** Starts the registry with in-memory storage and its log in a temporary file. */
  public static SchemaRegistryProcess start() {
    try {
      return start(
          locateApp(),
          Files.createTempFile("tiergate-schema-registry-", ".log"),
          Optional.empty(),
          startupTimeout());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the registry's log file", e);
    }
  }

  /**
   * Starts the registry with its log ({@code schema-registry.log}) and an H2 database file under
   * {@code dataDir}, so a restart on the same directory keeps the schemas and their ids (which
   * records already on a topic refer to).
   */
  public static SchemaRegistryProcess start(final Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dataDir, e);
    }
    return start(
        locateApp(),
        dataDir.resolve("schema-registry.log"),
        Optional.of(dataDir.resolve("schema-registry-db")),
        startupTimeout());
  }

  /**
   * Starts the registry from the given app jar and waits until it is ready.
   *
   * @param databaseDir where to keep the registry's H2 database; empty for in-memory storage
   * @throws IllegalStateException if it exits or is not ready within {@code startupTimeout}
   */
  public static SchemaRegistryProcess start(
      final Path appJar,
      final Path logFile,
      final Optional<Path> databaseDir,
      final Duration startupTimeout) {
    Objects.requireNonNull(appJar, "appJar");
    Objects.requireNonNull(logFile, "logFile");
    Objects.requireNonNull(databaseDir, "databaseDir");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    final long startedAt = System.nanoTime();
    final int port = FreePorts.pick();
    final Process process = launch(appJar, port, logFile, databaseDir);
    final SchemaRegistryProcess registry =
        new SchemaRegistryProcess(process, "http://127.0.0.1:" + port, logFile);
    Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
    try {
      registry.awaitReady(startupTimeout);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    LOG.info(
        "Schema registry up at {} after {} ms (log: {})",
        registry.url,
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
        logFile);
    return registry;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:40123}; the ccompat API is under /apis/ccompat/v7. */
  public String url() {
    return url;
  }

  /** Stops the child process (politely, then forcibly). */
  @Override
  protected void stop() {
    removeShutdownHook();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LOG.info("Schema registry at {} stopped", url);
  }

  /**
   * Finds {@code quarkus-run.jar}: the {@value #APP_PROPERTY} system property, else the {@value
   * #APP_ENV} variable, else {@code infra/schema-registry/target/quarkus-app/quarkus-run.jar} in
   * the nearest ancestor of the working directory that has one (the repository root).
   */
  public static Path locateApp() {
    return locateApp(
        Optional.ofNullable(System.getProperty(APP_PROPERTY)),
        System.getenv(),
        Paths.get(System.getProperty("user.dir")));
  }

  /** The startup timeout from the property or env var, else {@link #DEFAULT_STARTUP_TIMEOUT}. */
  public static Duration startupTimeout() {
    return startupTimeout(
        Optional.ofNullable(System.getProperty(STARTUP_TIMEOUT_PROPERTY)), System.getenv());
  }

  static Duration startupTimeout(final Optional<String> property, final Map<String, String> env) {
    final Optional<String> explicit =
        property.or(() -> Optional.ofNullable(env.get(STARTUP_TIMEOUT_ENV))).filter(v -> !v.isBlank());
    if (explicit.isEmpty()) {
      return DEFAULT_STARTUP_TIMEOUT;
    }
    try {
      final long seconds = Long.parseLong(explicit.get().trim());
      if (seconds <= 0) {
        throw new IllegalArgumentException(
            STARTUP_TIMEOUT_ENV + " must be a positive number of seconds: " + explicit.get());
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          STARTUP_TIMEOUT_ENV + " must be a whole number of seconds: " + explicit.get(), e);
    }
  }

  static Path locateApp(
      final Optional<String> property, final Map<String, String> env, final Path workingDir) {
    final Optional<String> explicit = property.or(() -> Optional.ofNullable(env.get(APP_ENV)));
    if (explicit.isPresent() && !explicit.get().isBlank()) {
      final Path app = Paths.get(explicit.get());
      if (!Files.isRegularFile(app)) {
        throw new IllegalStateException("schema registry app not found at " + app);
      }
      return app;
    }
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      final Path candidate = dir.resolve(APP_IN_REPO);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "schema registry app not found: build it with `mvn install -pl infra/schema-registry` "
            + "from the repository root, or set "
            + APP_ENV
            + " to its quarkus-run.jar");
  }

  private static Process launch(
      final Path appJar, final int port, final Path logFile, final Optional<Path> databaseDir) {
    final Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    final ProcessBuilder builder =
        new ProcessBuilder(command(java, appJar, port, System.getenv()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
    databaseDir.ifPresent(
        dir ->
            builder
                .environment()
                .put(DATASOURCE_ENV, "jdbc:h2:file:" + dir.toAbsolutePath().resolve("registry")));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the schema registry from " + appJar, e);
    }
  }

  /** The registry's command line, with the archive of {@value #CDS_ARCHIVE_ENV} when one is named. */
  static List<String> command(
      final Path java, final Path appJar, final int port, final Map<String, String> env) {
    final List<String> command = new ArrayList<>(List.of(
        java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    final String archive = env.getOrDefault(CDS_ARCHIVE_ENV, "").trim();
    if (!archive.isEmpty()) {
      // One argument each, so a path with blanks stays whole; the JVM's CDS notes stay out of the log.
      command.add((Files.isRegularFile(Path.of(archive))
          ? "-XX:SharedArchiveFile=" : "-XX:ArchiveClassesAtExit=") + archive);
      command.add("-Xlog:cds=off,cds+dynamic=off");
    }
    command.addAll(List.of(
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + port,
        "-jar",
        appJar.toAbsolutePath().toString()));
    return command;
  }

  /** Polls /health/ready; waiting on the process between polls also notices an early exit. */
  private void awaitReady(final Duration timeout) {
    final HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final HttpRequest ready =
        HttpRequest.newBuilder(URI.create(url + "/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (isReady(client, ready)) {
        return;
      }
      if (exitedWithin(POLL_INTERVAL)) {
        throw new IllegalStateException(
            "schema registry exited with " + process.exitValue() + "; log: " + logTail());
      }
    }
    throw new IllegalStateException(
        "schema registry not ready after " + timeout.toSeconds() + " s; log: " + logTail());
  }

  private static boolean isReady(final HttpClient client, final HttpRequest ready) {
    try {
      return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      LOG.trace("registry not answering yet: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the schema registry", e);
    }
  }

  private boolean exitedWithin(final Duration wait) {
    try {
      return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the schema registry", e);
    }
  }

  private String logTail() {
    try {
      final String text = Files.readString(logFile, StandardCharsets.UTF_8);
      return logFile + "\n" + text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return logFile + " (unreadable: " + e + ")";
    }
  }

  /**
   * The JVM is exiting. Its shutdown hooks run at once, and the owner's (as in {@code tiergate up})
   * stops the services first and this registry last: stopping it here at once would pull it from
   * under services still draining, whose schema lookups then fail with ERROR lines. So wait a while
   * for the owner's close, and stop the registry here only if it has not.
   */
  private void stopAtExit() {
    try {
      if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and our hook is destroying the process anyway.
      LOG.debug("JVM shutting down; registry hook already running");
    }
  }
}
