package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.CommandGroup;
import dev.tiergate.launcher.Table;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Topics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code tiergate models apply FILE.yaml | show}: the model catalogue on {@code tiergate.models}
 * (provider, family, prices in micro-dollars per million tokens, context window, capabilities).
 * Entries are added or replaced, never removed, so rules that name a model keep working.
 */
@Command(
    name = "models",
    description = "Apply or show the model catalogue.",
    subcommands = {ModelsCommand.Apply.class, ModelsCommand.Show.class})
public final class ModelsCommand extends CommandGroup {

  private static final Table TABLE = Table.of("%-26s %-12s %12s %12s %9s %s%n",
      "MODEL", "FAMILY", "IN µ$/M", "OUT µ$/M", "CONTEXT", "CAPABILITIES");

  @Command(name = "apply", description = "Validate a catalogue file (default-models.yaml shape) and publish it.")
  static final class Apply extends ApplyFileCommand<ModelSpec> {
    Apply() {
      super(Topics.MODELS, "models", (in, tables) -> DefaultRoutingTable.parseModels(in));
    }
  }

  @Command(name = "show", description = "Print the model catalogue as it is on the cluster.")
  static final class Show extends ClusterCommand {

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final Map<String, ModelSpec> models = new RoutingCluster(cluster).read(Topics.MODELS);
      TABLE.print(out, models.entrySet(), entry -> {
        final ModelSpec m = entry.getValue();
        return List.of(entry.getKey(), m.getFamily(), m.getInputMicrosPerMillion(),
            m.getOutputMicrosPerMillion(), m.getContextWindow(), String.join(",", m.getCapabilities()));
      });
      out.printf(Locale.ROOT, "%d models%n", models.size());
      return 0;
    }
  }
}
