package dev.tiergate.launcher.routing;

import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate models apply FILE.yaml | show}: the model catalogue on {@code tiergate.models}
 * (provider, family, prices in micro-dollars per million tokens, context window, capabilities).
 * Entries are added or replaced, never removed, so rules that name a model keep working.
 */
@Command(
    name = "models",
    description = "Apply or show the model catalogue.",
    mixinStandardHelpOptions = true,
    subcommands = {ModelsCommand.Apply.class, ModelsCommand.Show.class})
public final class ModelsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "apply", description = "Validate a catalogue file (default-models.yaml shape) and publish it.")
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RoutingCluster cluster = new RoutingCluster();

    @Parameters(index = "0", paramLabel = "FILE.yaml", description = "Catalogue file.")
    Path file;

    @Option(names = "--dry-run", description = "Validate only; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      final Map<String, ModelSpec> models;
      try (InputStream in = Files.newInputStream(file)) {
        models = DefaultRoutingTable.parseModels(in);
      } catch (IOException | IllegalArgumentException e) {
        return RoutesCommand.invalid(spec, file, e);
      }
      if (!dryRun) {
        cluster.write(Topics.MODELS, models);
      }
      final PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%s %d models to %s: %s%n", dryRun ? "validated" : "applied",
          models.size(), Topics.MODELS.name(), String.join(", ", models.keySet()));
      out.flush();
      return 0;
    }
  }

  @Command(name = "show", description = "Print the model catalogue as it is on the cluster.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RoutingCluster cluster = new RoutingCluster();

    @Override
    public Integer call() {
      final PrintWriter out = spec.commandLine().getOut();
      final Map<String, ModelSpec> models = cluster.read(Topics.MODELS);
      out.printf(Locale.ROOT, "%-26s %-12s %12s %12s %9s %s%n",
          "MODEL", "FAMILY", "IN µ$/M", "OUT µ$/M", "CONTEXT", "CAPABILITIES");
      models.forEach((id, m) -> out.printf(Locale.ROOT, "%-26s %-12s %12d %12d %9d %s%n",
          id, m.getFamily(), m.getInputMicrosPerMillion(), m.getOutputMicrosPerMillion(),
          m.getContextWindow(), String.join(",", m.getCapabilities())));
      out.printf(Locale.ROOT, "%d models%n", models.size());
      out.flush();
      return 0;
    }
  }
}
