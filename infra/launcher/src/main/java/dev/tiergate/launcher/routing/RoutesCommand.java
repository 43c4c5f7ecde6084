package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.CommandGroup;
import dev.tiergate.launcher.Table;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.Topics;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code tiergate routes apply FILE.yaml | show}: the routing table on {@code tiergate.routes}.
 * A file is validated completely (shape, and every chain against the live model catalogue) before
 * anything is produced, so a bad file changes nothing; the router applies a change on the next
 * request.
 */
@Command(
    name = "routes",
    description = "Apply or show the routing table (rules keyed tier/mode, tier/* for defaults).",
    subcommands = {RoutesCommand.Apply.class, RoutesCommand.Show.class})
public final class RoutesCommand extends CommandGroup {

  private static final Table TABLE = Table.of("%-28s %-50s %s%n", "RULE", "MODELS", "PARAMS");

  @Command(name = "apply", description = "Validate a rules file (default-routes.yaml shape) and publish its rules.")
  static final class Apply extends ApplyFileCommand<Route> {
    Apply() {
      super(Topics.ROUTES, "rules", Apply::checkedRules);
    }

    /** The file's rules, once every chain names catalogue models of the right kind. */
    private static Map<String, Route> checkedRules(final InputStream in, final RoutingCluster tables) {
      final Map<String, Route> rules = DefaultRoutingTable.parseRoutes(in);
      final Map<String, ModelSpec> catalogue = tables.read(Topics.MODELS);
      if (catalogue.isEmpty()) {
        throw new IllegalArgumentException("the model catalogue (" + Topics.MODELS.name()
            + ") is empty; apply models first");
      }
      DefaultRoutingTable.checkChains(rules, catalogue.keySet());
      DefaultRoutingTable.checkKinds(rules, catalogue);
      return rules;
    }
  }

  @Command(name = "show", description = "Print the routing table as it is on the cluster.")
  static final class Show extends ClusterCommand {

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final Map<String, Route> rules = new RoutingCluster(cluster).read(Topics.ROUTES);
      TABLE.print(out, rules.entrySet(), rule -> List.of(
          rule.getKey(), String.join(" > ", rule.getValue().getModels()), rule.getValue().getParams()));
      out.printf(Locale.ROOT, "%d rules%n", rules.size());
      return 0;
    }
  }
}
