package dev.tiergate.router;

import static dev.tiergate.router.BenchRequests.request;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Route;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The router's decision path (issue 5): {@link RouteResolver#resolve} against the shipped default
 * table, over a mix of requests (mode rules, tier defaults, unknown tier fallback, explicit model).
 * Lives in the router's package because the resolver is package-private. Goal: 200k decisions/s
 * per core.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouteResolverBench extends RouterBenchmark {

  private RouteResolver resolver;
  private Map<String, Route> table;
  private ChatRequest[] requests;
  private int next;

  @Setup
  public void setUp() {
    resolver = new RouteResolver("balanced");
    table = Map.copyOf(DefaultRoutingTable.load().routes());
    requests = new ChatRequest[] {
      request("frontier", "plan", "auto/frontier", List.of()),
      request("frontier", "code", "auto/frontier", List.of()),
      request("balanced", "commit-message", "auto/balanced", List.of()),
      request("small", null, "auto/small", List.of()),
      request("balanced", "unknown-mode", "auto", List.of()),
      request("no-such-tier", "debug", "auto", List.of()),
      request(null, "Code", "kilo-auto/balanced", List.of()),
      request("balanced", "code", "openai/gpt-4.1", List.of()),
    };
  }

  /** One routing decision; the request rotates through the mix. */
  @Benchmark
  public RoutingOutcome decide() {
    final ChatRequest request = requests[next];
    next = (next + 1) & 7;
    return resolver.resolve(request, table::get, BenchRequests.NOW);
  }
}
