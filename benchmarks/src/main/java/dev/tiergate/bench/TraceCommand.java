package dev.tiergate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.bench.trace.AgentSession;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.ModelSpec;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Agent-trace replay: synthetic agent sessions (plan, edits, debug, commit message; context growing
 * every step) sent through Tiergate on the caller's frontier tier; the cost routed versus all on the
 * frontier tier's first model, per mode, read back from the product's own accounting endpoint.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = "Agent-trace replay: routed cost vs all-frontier per mode, from /v1/spend.")
public final class TraceCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String WARMUP_MODE = "warmup";

  @Option(names = "--sessions", defaultValue = "40")
  int sessions;

  @Option(names = "--concurrency", defaultValue = "8", description = "sessions replayed at once")
  int concurrency;

  @Option(names = "--tier", defaultValue = "frontier", description = "the tier the agent asks for")
  String tier;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Mixin ResultsOption results;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public Integer call() throws Exception {
    final Report report = results.open("trace", String.format(Locale.ROOT,
        "benchmarks/run.sh trace --sessions %d --concurrency %d --tier %s --seed %d",
        sessions, concurrency, tier, seed));
    try (TiergateStack stack = Stacks.start("trace", Map.of())) {
      warmUp(stack.ingressUrl());
      final long started = System.nanoTime();
      final long[] counts = replay(stack.ingressUrl());
      report.line(String.format(Locale.ROOT,
          "Replayed %d sessions (%d at once), %d requests answered 200, %d failed, in %.1f s.",
          sessions, concurrency, counts[0], counts[1], (System.nanoTime() - started) / 1e9));
      final JsonNode byMode = awaitSpend(stack.accountingUrl(), "mode", counts[0] + 1);
      costTable(report, byMode, frontierPrice());
      report.line("");
      report.line("Requests per model (from `/v1/spend?by=model`; includes the one warm-up request):");
      report.line("");
      for (final JsonNode row : spend(stack.accountingUrl(), "model").path("rows")) {
        report.line(String.format(Locale.ROOT, "- %s: %d requests, $%.4f",
            row.path("value").asText(), row.path("requests").asLong(),
            row.path("costMicros").asLong() / 1e6));
      }
    }
    report.close();
    return 0;
  }

  /**
   * One request before the replay, alone, so every schema is registered by one caller at a time (a
   * registry on a busy machine can fail concurrent first registrations). It is accounted under
   * mode {@value #WARMUP_MODE}, left out of the tables.
   */
  private void warmUp(final String ingressUrl) throws IOException, InterruptedException {
    final AgentSession session = AgentSession.generate("ses_warmup", new Random(0));
    final AgentSession.Step step = new AgentSession.Step(WARMUP_MODE, "Say hello.");
    final HttpResponse<String> response = http.send(request(ingressUrl, session, step),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("warm-up request failed: " + response.statusCode() + " "
          + response.body());
    }
  }

  /** Runs every session, each step waiting for the previous reply; returns {ok, failed}. */
  private long[] replay(final String ingressUrl) throws Exception {
    final Random random = new Random(seed);
    final List<AgentSession> all = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      all.add(AgentSession.generate(String.format(Locale.ROOT, "ses_trace%04d", i), random));
    }
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      final List<Future<?>> done = new ArrayList<>();
      for (final AgentSession session : all) {
        done.add(pool.submit(() -> runSession(ingressUrl, session, ok, failed)));
      }
      for (final Future<?> future : done) {
        future.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return new long[] {ok.get(), failed.get()};
  }

  private Void runSession(
      final String ingressUrl, final AgentSession session, final AtomicLong ok, final AtomicLong failed)
      throws IOException, InterruptedException {
    for (final AgentSession.Step step : session.steps()) {
      final HttpResponse<String> response =
          http.send(request(ingressUrl, session, step), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        ok.incrementAndGet();
        session.addReply(JSON.readTree(response.body()).at("/choices/0/message/content").asText());
      } else {
        failed.incrementAndGet();
        session.addReply("(error " + response.statusCode() + ")");
      }
    }
    return null;
  }

  private HttpRequest request(
      final String ingressUrl, final AgentSession session, final AgentSession.Step step) {
    return HttpRequest.newBuilder(URI.create(ingressUrl + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer tg-demo-key")
        .header("Content-Type", "application/json")
        .header("x-tiergate-mode", step.mode())
        .header("x-tiergate-session", session.id())
        .header("x-tiergate-feature", "agent-trace")
        .POST(HttpRequest.BodyPublishers.ofString(session.nextBody(step, "auto/" + tier)))
        .build();
  }

  /** Polls the spend endpoint until it has counted every answered request (or 120 s pass). */
  private JsonNode awaitSpend(final String accountingUrl, final String by, final long expected)
      throws IOException, InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode last = JSON.createObjectNode();
    while (System.nanoTime() < deadline) {
      last = spend(accountingUrl, by);
      long counted = 0;
      for (final JsonNode row : last.path("rows")) {
        counted += row.path("requests").asLong();
      }
      if (counted >= expected) {
        return last;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
    }
    throw new IllegalStateException("accounting did not count " + expected + " requests: " + last);
  }

  private JsonNode spend(final String accountingUrl, final String by)
      throws IOException, InterruptedException {
    final HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create(accountingUrl + "/v1/spend?tenant=demo&by=" + by))
            .header("Authorization", "Bearer tg-demo-key")
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return JSON.createObjectNode().put("status", response.statusCode()).put("body", response.body());
    }
    return JSON.readTree(response.body());
  }

  /** The frontier tier's default first model, as the routing table ships it. */
  private static ModelSpec frontierPrice() {
    final DefaultRoutingTable table = DefaultRoutingTable.load();
    final String model = table.routes().get("frontier/*").getModels().get(0);
    return table.models().get(model);
  }

  private static void costTable(final Report report, final JsonNode byMode, final ModelSpec frontier) {
    report.line("");
    report.line("Cost per mode: routed (from `/v1/spend?tenant=demo&by=mode`) vs the same tokens all on "
        + frontier.getId() + " (the frontier tier's first model; computed from the catalogue prices"
        + " unless the row carries the product's own counterfactual field).");
    report.line("");
    report.line("| mode | requests | input tokens | output tokens | routed $ | all-frontier $ | saving | product counterfactual |");
    report.line("|---|---:|---:|---:|---:|---:|---:|---|");
    long routedTotal = 0;
    long frontierTotal = 0;
    for (final JsonNode row : byMode.path("rows")) {
      if (WARMUP_MODE.equals(row.path("value").asText())) {
        continue;
      }
      final long routed = row.path("costMicros").asLong();
      final long allFrontier = frontierMicros(row, frontier);
      routedTotal += routed;
      frontierTotal += allFrontier;
      report.line(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.4f | %.4f | %.0f%% | %s |",
          row.path("value").asText(), row.path("requests").asLong(), row.path("inputTokens").asLong(),
          row.path("outputTokens").asLong(), routed / 1e6, allFrontier / 1e6,
          saving(routed, allFrontier), counterfactualFields(row)));
    }
    report.line(String.format(Locale.ROOT, "| **all** | | | | **%.4f** | **%.4f** | **%.0f%%** | |",
        routedTotal / 1e6, frontierTotal / 1e6, saving(routedTotal, frontierTotal)));
  }

  static long frontierMicros(final JsonNode row, final ModelSpec price) {
    final long cached = row.path("cachedInputTokens").asLong();
    final long uncached = row.path("inputTokens").asLong() - cached;
    final BigInteger total = BigInteger.valueOf(uncached).multiply(BigInteger.valueOf(price.getInputMicrosPerMillion()))
        .add(BigInteger.valueOf(cached).multiply(BigInteger.valueOf(price.getCachedInputMicrosPerMillion())))
        .add(BigInteger.valueOf(row.path("outputTokens").asLong())
            .multiply(BigInteger.valueOf(price.getOutputMicrosPerMillion())));
    return total.add(BigInteger.valueOf(500_000)).divide(BigInteger.valueOf(1_000_000)).longValueExact();
  }

  private static double saving(final long routed, final long allFrontier) {
    final double percent = allFrontier == 0 ? 0 : 100.0 * (allFrontier - routed) / allFrontier;
    // Per-request rounding can leave the routed sum a micro-dollar off; show that as 0%, not -0%.
    return Math.abs(percent) < 0.5 ? 0 : percent;
  }

  /** Any field of the row whose name mentions a counterfactual or the frontier (added by accounting). */
  private static String counterfactualFields(final JsonNode row) {
    final List<String> found = new ArrayList<>();
    for (final Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
      final String name = names.next();
      final String lower = name.toLowerCase(Locale.ROOT);
      if (lower.contains("counterfactual") || lower.contains("frontier")) {
        found.add(name + "=" + row.get(name).asText());
      }
    }
    return found.isEmpty() ? "–" : String.join(", ", found);
  }
}
