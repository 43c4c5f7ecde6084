package dev.tiergate.bench;

import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded stack for a benchmark, with one more attempt when the first fails: on a
 * heavily loaded machine the registry child process can miss its startup deadline, which says
 * nothing about the pipeline being measured.
 */
final class Stacks {

  private static final Logger LOG = LoggerFactory.getLogger(Stacks.class);
  private static final int ATTEMPTS = 2;

  private Stacks() {}

  static TiergateStack start(final String name, final Map<String, String> serviceEnv) {
    return start(name, serviceEnv, SimulatorConfig.defaults());
  }

  /** The stack with its provider simulator configured (chunk interval, reply length, …). */
  static TiergateStack start(
      final String name, final Map<String, String> serviceEnv, final SimulatorConfig simulator) {
    Objects.requireNonNull(serviceEnv, "serviceEnv");
    Objects.requireNonNull(simulator, "simulator");
    RuntimeException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return TiergateStack.start(new TiergateStack.Options(
                Files.createTempDirectory("tiergate-" + name), 0, 0, Duration.ofSeconds(60))
            .withServiceEnv(serviceEnv)
            .withSimulator(simulator));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        LOG.warn("stack start attempt {} of {} failed: {}", attempt, ATTEMPTS, e.toString());
        last = e;
      }
    }
    throw last;
  }
}
