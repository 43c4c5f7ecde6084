package dev.tiergate.launcher.routing;

import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
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
 * {@code tiergate routes apply FILE.yaml | show}: the routing table on {@code tiergate.routes}.
 * A file is validated completely (shape, and every chain against the live model catalogue) before
 * anything is produced, so a bad file changes nothing; the router applies a change on the next
 * request.
 */
@Command(
    name = "routes",
    description = "Apply or show the routing table (rules keyed tier/mode, tier/* for defaults).",
    mixinStandardHelpOptions = true,
    subcommands = {RoutesCommand.Apply.class, RoutesCommand.Show.class})
public final class RoutesCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static int invalid(final CommandSpec spec, final Path file, final Exception error) {
    final PrintWriter err = spec.commandLine().getErr();
    err.println("error: " + file + " was not applied, nothing changed: " + error.getMessage());
    err.flush();
    return 2;
  }

  @Command(name = "apply", description = "Validate a rules file (default-routes.yaml shape) and publish its rules.")
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RoutingCluster cluster = new RoutingCluster();

    @Parameters(index = "0", paramLabel = "FILE.yaml", description = "Rules file.")
    Path file;

    @Option(names = "--dry-run", description = "Validate only; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      final Map<String, Route> rules;
      try (InputStream in = Files.newInputStream(file)) {
        rules = DefaultRoutingTable.parseRoutes(in);
        final Map<String, ModelSpec> catalogue = cluster.read(Topics.MODELS);
        if (catalogue.isEmpty()) {
          throw new IllegalArgumentException("the model catalogue (" + Topics.MODELS.name()
              + ") is empty; apply models first");
        }
        DefaultRoutingTable.checkChains(rules, catalogue.keySet());
        DefaultRoutingTable.checkKinds(rules, catalogue);
      } catch (IOException | IllegalArgumentException e) {
        return invalid(spec, file, e);
      }
      if (!dryRun) {
        cluster.write(Topics.ROUTES, rules);
      }
      final PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%s %d rules to %s: %s%n", dryRun ? "validated" : "applied",
          rules.size(), Topics.ROUTES.name(), String.join(", ", rules.keySet()));
      out.flush();
      return 0;
    }
  }

  @Command(name = "show", description = "Print the routing table as it is on the cluster.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RoutingCluster cluster = new RoutingCluster();

    @Override
    public Integer call() {
      final PrintWriter out = spec.commandLine().getOut();
      final Map<String, Route> rules = cluster.read(Topics.ROUTES);
      out.printf(Locale.ROOT, "%-28s %-50s %s%n", "RULE", "MODELS", "PARAMS");
      rules.forEach((key, route) -> out.printf(Locale.ROOT, "%-28s %-50s %s%n",
          key, String.join(" > ", route.getModels()), route.getParams()));
      out.printf(Locale.ROOT, "%d rules%n", rules.size());
      out.flush();
      return 0;
    }
  }
}
