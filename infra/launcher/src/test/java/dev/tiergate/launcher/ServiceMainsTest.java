package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every service's main class (what the deployment manifests run) fails the same way on a missing
 * setting: one line on stderr and exit code 2, never a stack trace.
 */
class ServiceMainsTest {

  @TempDir Path dir;

  @ParameterizedTest
  // The simulator needs no setting: it is a stand-in for the providers, not a service.
  @EnumSource(value = ServiceProcess.Kind.class, names = "SIMULATOR", mode = EnumSource.Mode.EXCLUDE)
  void aMissingSettingIsOneLineAndExitCode2(final ServiceProcess.Kind kind) throws Exception {
    final Path err = dir.resolve(kind + ".err");
    final ProcessBuilder builder = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            kind.mainClass()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("KAFKA_")
        || name.startsWith("TIERGATE_") || name.equals("SCHEMA_REGISTRY_URL"));
    final Process process = builder.start();

    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s exits", kind).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(err))
        .hasLineCount(1)
        .matches("tiergate [a-z-]+ refuses to start: a setting is wrong: missing required setting"
            + " KAFKA_BOOTSTRAP_SERVERS\\s*");
  }
}
