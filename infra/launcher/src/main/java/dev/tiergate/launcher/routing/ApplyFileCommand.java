package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.schemas.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code apply FILE.yaml}: a table file validated completely before anything is produced, so a bad
 * file changes nothing, then published record by record to its compacted topic.
 *
 * @param <V> the table's records
 */
abstract class ApplyFileCommand<V> extends ClusterCommand {

  private final Topic<V> topic;
  private final String noun;
  private final Parser<V> parser;

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The ${PARENT-COMMAND-NAME} file.")
  Path file;

  @Option(names = "--dry-run", description = "Validate only; publish nothing.")
  boolean dryRun;

  /** @param noun what the records are called in the summary line ("rules", "models") */
  ApplyFileCommand(final Topic<V> topic, final String noun, final Parser<V> parser) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.noun = Objects.requireNonNull(noun, "noun");
    this.parser = Objects.requireNonNull(parser, "parser");
  }

  /** Reads a file's records; an {@link IllegalArgumentException} says what is wrong with it. */
  @FunctionalInterface
  interface Parser<V> {
    Map<String, V> parse(InputStream in, RoutingCluster tables) throws IOException;
  }

  @Override
  protected int run(final PrintWriter out, final PrintWriter err) {
    final RoutingCluster tables = new RoutingCluster(cluster);
    final Map<String, V> records;
    try (InputStream in = Files.newInputStream(file)) {
      records = parser.parse(in, tables);
    } catch (IOException | IllegalArgumentException e) {
      err.println("error: " + file + " was not applied, nothing changed: " + e.getMessage());
      return 2;
    }
    if (!dryRun) {
      tables.write(topic, records);
    }
    out.printf(Locale.ROOT, "%s %d %s to %s: %s%n", dryRun ? "validated" : "applied",
        records.size(), noun, topic.name(), String.join(", ", records.keySet()));
    return 0;
  }
}
