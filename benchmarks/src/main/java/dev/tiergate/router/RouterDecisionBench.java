package dev.tiergate.router;

import static dev.tiergate.router.BenchRequests.NOW;
import static dev.tiergate.router.BenchRequests.request;

import dev.tiergate.router.predict.BackgroundCalls;
import dev.tiergate.router.predict.BlendedPredictor;
import dev.tiergate.router.predict.DifficultyPredictor;
import dev.tiergate.schemas.ChatRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The router's full decision (issue 5) as the topology makes it: table lookup with fallbacks,
 * capability and context-window checks against the catalogue (token estimate included), session
 * stickiness, budgets, and the difficulty predictor for requests without a mode; and the predictor
 * alone. Decisions/s (throughput) and per-call time percentiles (sample mode, p50/p99).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RouterDecisionBench extends RouterBenchmark {

  private static final String[] PROMPTS = {
    "Rename the variable total to sum in utils.py and update the two call sites.",
    "Design a sharded, exactly-once billing ledger across three regions; compare consistency models "
        + "and explain the failure modes of each under network partitions.",
    "Write a commit message for: fix off-by-one in pagination.",
    "Why does this stack trace show a NullPointerException in InvoiceRepository.find when the cache "
        + "is warm but not when it is cold? Walk through the lifecycle.",
  };

  private RouteResolver resolver;
  private BlendedPredictor predictor;
  private DifficultyPredictor ngram;
  private long unique;
  private RoutingTables tables;
  private ChatRequest[] requests;
  private SessionRoute session;
  private int next;

  @Setup
  public void setUp() {
    predictor = BlendedPredictor.loadDefault();
    ngram = DifficultyPredictor.loadDefault();
    resolver = new RouteResolver("balanced", predictor, BackgroundCalls.loadDefault(),
        RouterConfig.DEFAULT_SWITCH_FACTOR, new TokenEstimator());
    final DefaultRoutingTable table = DefaultRoutingTable.load();
    tables = RoutingTables.of(Map.copyOf(table.routes()), Map.copyOf(table.models()), Map.of());
    session = new SessionRoute("openai/gpt-5-mini", "gpt-5", NOW.minusSeconds(30));
    requests = new ChatRequest[] {
      request("frontier", "plan", "auto/frontier", PROMPTS[1]),
      request("frontier", "code", "auto/frontier", PROMPTS[0]),
      request("balanced", "commit-message", "auto/balanced", PROMPTS[2]),
      request("balanced", null, "auto", PROMPTS[3]),
      request("frontier", null, "auto/frontier", PROMPTS[1]),
      request("small", null, "auto/small", PROMPTS[0]),
      request(null, "code", "kilo-auto/balanced", PROMPTS[0]),
      request("balanced", "debug", "openai/gpt-4.1", PROMPTS[3]),
    };
  }

  /** One full decision, half of the mix without a mode (so the predictor runs), with a session. */
  @Benchmark
  public RouteResolver.Decision decide() {
    final ChatRequest request = requests[next];
    next = (next + 1) & 7;
    return resolver.decide(request, tables, session, NOW);
  }

  /** A decision for a request that carries a mode: the predictor never runs (the added latency). */
  @Benchmark
  public RouteResolver.Decision decideWithMode() {
    return resolver.decide(requests[1], tables, session, NOW);
  }

  /**
   * A decision for a request without a mode whose prompt the predictor has not seen (a new text
   * each call, so the embedding cache misses): the added latency of prediction.
   */
  @Benchmark
  public RouteResolver.Decision decideWithoutMode() {
    final ChatRequest request = request("frontier", null, "auto/frontier", PROMPTS[1] + " #" + unique++);
    return resolver.decide(request, tables, session, NOW);
  }

  /** The shipped (blended) predictor alone on a prompt it has not seen. */
  @Benchmark
  public double predict() {
    return predictor.score(PROMPTS[next++ & 3] + " #" + unique++);
  }

  /** The n-gram model alone (TIERGATE_ROUTER_PREDICT=ngram). */
  @Benchmark
  public double predictNgram() {
    final ChatRequest request = requests[next];
    next = (next + 1) & 7;
    return ngram.score(request);
  }
}
