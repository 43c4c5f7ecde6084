package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the registry app is found without an absolute path anywhere in the code, and how long it may start. */
class SchemaRegistryProcessTest {

  @TempDir Path repo;

  @Test
  void locatesAppByWalkingUpFromAModuleDirectoryToTheRepositoryRoot() throws IOException {
    final Path app = createApp(repo.resolve(SchemaRegistryProcess.APP_IN_REPO));
    final Path moduleDir = Files.createDirectories(repo.resolve("router-stream/src"));

    assertThat(SchemaRegistryProcess.locateApp(Optional.empty(), Map.of(), moduleDir))
        .isEqualTo(app.toAbsolutePath());
  }

  @Test
  void prefersTheSystemPropertyOverTheEnvironmentAndTheRepository() throws IOException {
    createApp(repo.resolve(SchemaRegistryProcess.APP_IN_REPO));
    final Path fromProperty = createApp(repo.resolve("property/quarkus-run.jar"));
    final Path fromEnv = createApp(repo.resolve("env/quarkus-run.jar"));

    assertThat(
            SchemaRegistryProcess.locateApp(
                Optional.of(fromProperty.toString()),
                Map.of(SchemaRegistryProcess.APP_ENV, fromEnv.toString()),
                repo))
        .isEqualTo(fromProperty);
    assertThat(
            SchemaRegistryProcess.locateApp(
                Optional.empty(), Map.of(SchemaRegistryProcess.APP_ENV, fromEnv.toString()), repo))
        .isEqualTo(fromEnv);
  }

  @Test
  void mapsTheNamedArchiveWhenItExistsAndWritesItOtherwise() throws Exception {
    final Path app = repo.resolve("quarkus-run.jar");
    final Path archive = repo.resolve("a folder with blanks").resolve("registry.jsa");
    final Map<String, String> env =
        Map.of(SchemaRegistryProcess.CDS_ARCHIVE_ENV, archive.toString());

    assertThat(SchemaRegistryProcess.command(Path.of("java"), app, 8081, env))
        .startsWith("java", "-Xmx256m")
        .endsWith("-jar", app.toAbsolutePath().toString())
        .contains("-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.http.port=8081");

    Files.createDirectories(archive.getParent());
    Files.writeString(archive, "archive");
    assertThat(SchemaRegistryProcess.command(Path.of("java"), app, 8081, env))
        .contains("-XX:SharedArchiveFile=" + archive)
        .noneMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit"));

    assertThat(SchemaRegistryProcess.command(Path.of("java"), app, 8081, Map.of()))
        .noneMatch(option -> option.contains("Archive"));
  }

  @Test
  void startupTimeoutComesFromThePropertyThenTheEnvironmentThenTheDefault() {
    final Map<String, String> env = Map.of(SchemaRegistryProcess.STARTUP_TIMEOUT_ENV, "240");

    assertThat(SchemaRegistryProcess.startupTimeout(Optional.of("30"), env))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(SchemaRegistryProcess.startupTimeout(Optional.empty(), env))
        .isEqualTo(Duration.ofSeconds(240));
    assertThat(SchemaRegistryProcess.startupTimeout(Optional.empty(), Map.of()))
        .isEqualTo(SchemaRegistryProcess.DEFAULT_STARTUP_TIMEOUT);
  }

  @Test
  void rejectsAStartupTimeoutThatIsNotAPositiveWholeNumber() {
    for (final String bad : new String[] {"0", "-5", "ninety", "PT90S"}) {
      assertThatThrownBy(() -> SchemaRegistryProcess.startupTimeout(Optional.of(bad), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(SchemaRegistryProcess.STARTUP_TIMEOUT_ENV);
    }
  }

  @Test
  void failsWithBuildInstructionsWhenTheAppIsMissing() {
    assertThatThrownBy(() -> SchemaRegistryProcess.locateApp(Optional.empty(), Map.of(), repo))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("mvn install -pl infra/schema-registry")
        .hasMessageContaining(SchemaRegistryProcess.APP_ENV);
  }

  @Test
  void failsWhenTheConfiguredAppDoesNotExist() {
    final Map<String, String> env =
        Map.of(SchemaRegistryProcess.APP_ENV, repo.resolve("nowhere.jar").toString());

    assertThatThrownBy(() -> SchemaRegistryProcess.locateApp(Optional.empty(), env, repo))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nowhere.jar");
  }

  private static Path createApp(final Path jar) throws IOException {
    Files.createDirectories(jar.getParent());
    return Files.write(jar, new byte[] {'P', 'K'});
  }
}
