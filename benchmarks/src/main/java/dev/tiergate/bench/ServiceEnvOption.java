package dev.tiergate.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --service-env}: settings for every service of the embedded stack a command starts. */
final class ServiceEnvOption {

  @Option(names = "--service-env", description = "settings for every service, e.g. "
      + "--service-env KAFKA_COMMIT_INTERVAL_MS=5 (to try a tuning)")
  Map<String, String> values = new LinkedHashMap<>();

  /** The option as the report's command line spells it ("" when none is given). */
  String flag() {
    return values.isEmpty() ? "" : " --service-env " + values;
  }
}
