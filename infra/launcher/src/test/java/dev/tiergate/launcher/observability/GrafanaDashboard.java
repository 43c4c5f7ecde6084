package dev.tiergate.launcher.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard in {@code infra/deploy/grafana}: its PromQL expressions, and the metric
 * names they query (checked against the services' real {@code /metrics} in {@link
 * TracingEndToEndTest}).
 */
final class GrafanaDashboard {

  static final String DASHBOARD = "infra/deploy/grafana/tiergate-overview.json";
  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern VARIABLES = Pattern.compile("\\$\\w+");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.])[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool");

  private GrafanaDashboard() {}

  static JsonNode dashboard() throws IOException {
    Path repo = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(repo.resolve("infra/deploy"))) {
      repo = repo.getParent();
      assertThat(repo).as("infra/deploy above the working directory").isNotNull();
    }
    return new ObjectMapper().readTree(repo.resolve(DASHBOARD).toFile());
  }

  /** Every {@code expr} of every panel's targets. */
  static List<String> expressions(final JsonNode dashboard) {
    final List<String> exprs = new ArrayList<>();
    dashboard.findValues("targets").forEach(targets ->
        targets.forEach(target -> exprs.add(target.path("expr").asText())));
    return exprs;
  }

  /** The metric names an expression selects: what is left once functions and labels are gone. */
  static Set<String> metricNames(final String expr) {
    String bare = STRINGS.matcher(expr).replaceAll(" ");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    bare = RANGES.matcher(bare).replaceAll(" ");
    bare = VARIABLES.matcher(bare).replaceAll(" ");
    final Set<String> names = new TreeSet<>();
    final Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      final boolean function = identifier.group(1) != null;
      final String name = identifier.group().replaceAll("[\\s(]", "");
      if (!function && !KEYWORDS.contains(name) && !name.matches("\\d.*")) {
        names.add(name);
      }
    }
    return names;
  }
}
