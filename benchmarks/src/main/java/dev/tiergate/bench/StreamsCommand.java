package dev.tiergate.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.load.StreamGenerator;
import dev.tiergate.bench.load.StreamResult;
import dev.tiergate.bench.load.StreamTimeline;
import dev.tiergate.bench.peer.PortkeyGateway;
import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.launcher.ServiceProcess;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.stack.FreePorts;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Streamed replies (OpenAI SSE) straight from the simulator, through Tiergate and through Portkey
 * in one run: time from the intended send time to the first content chunk, the gaps between
 * chunks, and what each gateway adds to them; at fixed rates, or with N streams held open at once
 * ({@code --concurrent}), where every stream must complete and the process's memory is reported.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
    description = "Streamed replies: time to first content and gaps between chunks vs direct and "
        + "vs Portkey, at fixed rates or with N streams open at once (--concurrent).")
public final class StreamsCommand implements Callable<Integer> {

  /** Words per chunk in the simulator's OpenAI stream: a reply of 3k words streams k chunks. */
  private static final int WORDS_PER_CHUNK = 3;
  /** Events of a stream besides its content chunks: role, finish and usage chunks, [DONE]. */
  private static final int OTHER_EVENTS = 4;
  /**
   * Sockets one held stream through Tiergate holds in this JVM: both ends of the client's call and
   * the dispatcher's end of the provider call (the simulator runs apart with {@code --concurrent},
   * and each route's client closes its connections before the next route runs).
   */
  private static final int DESCRIPTORS_PER_STREAM = 3;
  private static final Duration SIMULATOR_START_TIMEOUT = Duration.ofSeconds(60);
  /** Descriptors the stack needs besides the streams' (jars, log segments, Kafka connections). */
  private static final int DESCRIPTORS_RESERVED = 2_000;
  private static final Duration DRAIN_MARGIN = Duration.ofSeconds(90);

  @Mixin
  FixedRateOptions runs =
      new FixedRateOptions(List.of(100), Duration.ofSeconds(20), Duration.ofSeconds(10));

  @Option(names = "--chunk-interval", description = "the simulator's pause before each stream "
      + "event; default PT0.02S at fixed rates, PT0.5S with --concurrent")
  Duration chunkInterval;

  @Option(names = "--reply-words", defaultValue = "30",
      description = "words per reply at fixed rates (" + WORDS_PER_CHUNK + " per chunk)")
  int replyWords;

  @Option(names = "--concurrent", defaultValue = "0",
      description = "hold this many streams open at once instead of the fixed rates")
  int concurrent;

  @Option(names = "--hold", defaultValue = "PT20S",
      description = "with --concurrent: how long each stream lasts (sets the reply length)")
  Duration hold;

  @Option(names = "--ramp", defaultValue = "PT10S",
      description = "with --concurrent: the streams open evenly over this time")
  Duration ramp;

  @Mixin
  ComparisonOptions options;

  @Spec
  CommandSpec spec;

  private final CpuRows cpu = new CpuRows();

  /** One way to the simulated model, and whether it goes through the peer gateway. */
  private record Route(String label, HttpTarget target, boolean throughPeer) {}

  @Override
  public Integer call() throws Exception {
    final boolean held = concurrent > 0;
    final Duration interval =
        chunkInterval != null ? chunkInterval : Duration.ofMillis(held ? 500 : 20);
    final int words = held ? wordsFor(hold, interval) : replyWords;
    final Map<String, String> env =
        held ? withStreamLimits(options.serviceEnv.values, concurrent) : options.serviceEnv.values;
    if (held) {
      requireDescriptors(concurrent);
    }
    final Report report = options.results.open("streams", commandLine(interval));
    report.line(String.format(Locale.ROOT,
        "Simulator: %d ms before each stream event, replies padded to %d words: %d content "
            + "chunks of %d words, so a stream of %d events lasts about %.1f s (a reply is never "
            + "shorter than its opening, about 15 words; the tables count the chunks that came); "
            + "service settings: %s.",
        interval.toMillis(), words, chunks(words), WORDS_PER_CHUNK, chunks(words) + OTHER_EVENTS,
        streamLength(words, interval).toMillis() / 1000.0, env.isEmpty() ? "defaults" : env));
    final int connections = Math.max(HttpTarget.DEFAULT_CONNECTIONS, concurrent + 64);
    final SimulatorConfig simulator =
        SimulatorConfig.defaults().withChunkInterval(interval).withReplyWords(words);
    // Held streams' four sockets each would not fit this process's descriptor limit, so the
    // simulator that answers them runs as its own process; at fixed rates it stays in the stack.
    final int apartPort = held ? FreePorts.pick() : 0;
    final String apartUrl = loopbackUrl(apartPort);
    try (ServiceProcess simulatorApart = held ? startSimulator(apartPort, interval, words) : null;
        TiergateStack stack = Stacks.start(
            "streams", held ? throughSimulatorAt(apartUrl, env) : env, simulator);
        HttpTarget direct = Targets.direct(
            held ? apartUrl : stack.simulatorUrl(), RequestBodies::streamedChat, connections);
        HttpTarget tiergate = Targets.tiergate(stack, RequestBodies::streamedChat, connections);
        PortkeyGateway gateway = options.startPeer();
        HttpTarget portkey = gateway == null ? null : Targets.portkey(gateway,
            held ? apartUrl : stack.simulatorUrl(), RequestBodies::streamedChat, connections)) {
      cpu.peer(gateway);
      final List<Route> routes = new ArrayList<>(List.of(
          new Route("direct", direct, false), new Route("tiergate", tiergate, false)));
      if (portkey != null) {
        routes.add(new Route("portkey", portkey, true));
      }
      for (final Route route : routes) {
        report.line(probe(route));
      }
      final StreamGenerator generator =
          new StreamGenerator(streamLength(words, interval).plus(DRAIN_MARGIN));
      if (held) {
        held(report, generator, routes);
      } else {
        try (FirstChunkAnatomy anatomy = new FirstChunkAnatomy(stack.kafkaSettings())) {
          tiergate.onStream(anatomy::streamed);
          fixedRates(report, generator, routes, anatomy);
          report.line("");
          report.line("### Where the first chunk's time goes (measured Tiergate runs above; "
              + "event timestamps, a chunk reader like the ingress's, the generator's clock)");
          report.line("");
          anatomy.markdown(stack.kafkaSettings()).forEach(report::line);
        }
      }
      cpu.write(report, "### CPU per stream (ms of thread CPU per stream sent, measured runs "
          + "only; pipeline = broker + the four services; Portkey's pipeline is its Node "
          + "process, with the idle Tiergate stack's own spending beside it in brackets)");
    }
    report.close();
    return 0;
  }

  private void fixedRates(final Report report, final StreamGenerator generator,
      final List<Route> routes, final FirstChunkAnatomy anatomy) {
    report.line("");
    report.line(String.format(Locale.ROOT, "### Fixed rates (open loop, times from the intended "
        + "send time; TTFB = first content chunk; warm-up %s, measured %s)",
        runs.warmup, runs.duration));
    report.line("");
    final List<String> rows = new ArrayList<>();
    final List<String> added = new ArrayList<>();
    for (final int rate : runs.rates) {
      final Map<String, StreamResult> byRoute = new LinkedHashMap<>();
      for (final Route route : routes) {
        if (!runs.warmup.isZero()) {
          generator.run(
              route.label() + " (warm-up)", route.target(), rate, Duration.ZERO, runs.warmup);
        }
        final boolean timeFirstChunks = "tiergate".equals(route.label());
        final StreamResult result = cpu.measure(
            String.format(Locale.ROOT, "%s @ %d/s", route.label(), rate), route.throughPeer(),
            () -> {
              if (timeFirstChunks) {
                anatomy.on();
              }
              try {
                return generator.run(
                    route.label(), route.target(), rate, Duration.ZERO, runs.duration);
              } finally {
                anatomy.off();
              }
            },
            measured -> measured.run().sent());
        byRoute.put(route.label(), result);
        rows.add(result.markdownRow());
      }
      added.add(addedRow(rate + "/s", byRoute));
    }
    report.line(StreamResult.markdownHeader());
    rows.forEach(report::line);
    addedTable(report, "streams/s", added);
  }

  private void held(final Report report, final StreamGenerator generator, final List<Route> routes) {
    report.line("");
    report.line(String.format(Locale.ROOT, "### %d streams open at once (opened over %s; memory "
        + "is this JVM's: broker, services and generator; the simulator runs as its own process "
        + "and Portkey's Node process is not in it either)", concurrent, ramp));
    report.line("");
    report.line("| target | streams | completed | failed | most open | TTFB p50 ms | TTFB p99 ms "
        + "| gap p50 ms | gap p99 ms | gap max ms | chunks/stream | stream p50 s | stream max s "
        + "| heap max MiB | RSS max MiB |");
    report.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    final Map<String, StreamResult> byRoute = new LinkedHashMap<>();
    for (final Route route : routes) {
      try (Gauges gauges = new Gauges(generator::open)) {
        final StreamResult r = cpu.measure(
            String.format(Locale.ROOT, "%s, %d at once", route.label(), concurrent),
            route.throughPeer(),
            () -> generator.hold(route.label(), route.target(), concurrent, ramp),
            measured -> measured.run().sent());
        // Its idle pooled sockets would otherwise count against the next route's descriptors.
        route.target().close();
        byRoute.put(route.label(), r);
        report.line(String.format(Locale.ROOT,
            "| %s | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f "
                + "| %d | %d |",
            route.label(), r.run().sent(), r.run().ok(), r.run().failed(), gauges.maxValue(),
            r.firstContentMillisAt(50), r.firstContentMillisAt(99), r.gapMillisAt(50),
            r.gapMillisAt(99), r.gapMicros().getMaxValue() / 1000.0, r.eventsPerStream(),
            r.streamMicros().getValueAtPercentile(50) / 1e6, r.streamMicros().getMaxValue() / 1e6,
            gauges.maxHeapMiB(), gauges.maxRssMiB()));
      }
    }
    addedTable(report, "streams", List.of(addedRow(Integer.toString(concurrent), byRoute)));
  }

  private static void addedTable(final Report report, final String what, final List<String> rows) {
    report.line("");
    report.line("Added by the gateway (gateway minus direct at the same percentile, ms):");
    report.line("");
    report.line("| " + what + " | Tiergate TTFB p50 | TTFB p99 | gap p50 | gap p99 "
        + "| Portkey TTFB p50 | TTFB p99 | gap p50 | gap p99 |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(report::line);
  }

  /** Gateway minus direct; not valid when any side lost streams or the generator fell behind. */
  static String addedRow(final String first, final Map<String, StreamResult> byRoute) {
    final StreamResult direct = byRoute.get("direct");
    final List<String> cells = new ArrayList<>();
    for (final String gateway : List.of("tiergate", "portkey")) {
      final StreamResult r = byRoute.get(gateway);
      if (r == null) {
        cells.add("– | – | – | –");
      } else if (!r.run().clean() || !direct.run().clean()) {
        cells.add(String.format(Locale.ROOT, "not valid (%s %d failed, direct %d failed, or "
            + "generator behind) | | |", gateway, r.run().failed(), direct.run().failed()));
      } else {
        cells.add(String.format(Locale.ROOT, "%+.2f | %+.2f | %+.2f | %+.2f",
            r.firstContentMillisAt(50) - direct.firstContentMillisAt(50),
            r.firstContentMillisAt(99) - direct.firstContentMillisAt(99),
            r.gapMillisAt(50) - direct.gapMillisAt(50),
            r.gapMillisAt(99) - direct.gapMillisAt(99)));
      }
    }
    return "| " + first + " | " + String.join(" | ", cells) + " |";
  }

  /** One stream through the route before the runs, so a broken route shows at once. */
  private static String probe(final Route route)
      throws InterruptedException, ExecutionException, TimeoutException {
    final StreamTimeline timeline = new StreamTimeline(System.nanoTime());
    final int status =
        route.target().stream(0, timeline).toCompletableFuture().get(2, TimeUnit.MINUTES);
    return String.format(Locale.ROOT, "First %s stream: HTTP %d, %s.",
        route.label(), status, timeline.describe());
  }

  /** The reply length that makes a stream last about {@code length} at {@code interval}. */
  static int wordsFor(final Duration length, final Duration interval) {
    final long events = length.toMillis() / Math.max(1, interval.toMillis());
    return (int) Math.max(1, events - OTHER_EVENTS) * WORDS_PER_CHUNK;
  }

  private static int chunks(final int words) {
    return (words + WORDS_PER_CHUNK - 1) / WORDS_PER_CHUNK;
  }

  private static Duration streamLength(final int words, final Duration interval) {
    return interval.multipliedBy(chunks(words) + OTHER_EVENTS);
  }

  /**
   * The caller's settings over limits high enough for {@code streams} calls in flight: the
   * dispatcher's defaults (256 in flight and per tenant) would queue all but a few hundred.
   */
  static Map<String, String> withStreamLimits(final Map<String, String> env, final int streams) {
    final String limit = Integer.toString(streams + 64);
    final Map<String, String> limits = new LinkedHashMap<>();
    for (final Setting<Integer> setting : List.of(DispatcherConfig.MAX_IN_FLIGHT,
        DispatcherConfig.MAX_CONNECTIONS, DispatcherConfig.MAX_CONCURRENT_PER_PROVIDER,
        DispatcherConfig.MAX_CONCURRENT_PER_TENANT)) {
      limits.put(setting.name(), limit);
    }
    limits.put(IngressConfig.MAX_PENDING.name(),
        Integer.toString(Math.max(IngressConfig.DEFAULT_MAX_PENDING, streams + 64)));
    limits.putAll(env);
    return limits;
  }

  /** The provider simulator as its own JVM on {@code port}, answering as the in-stack one would. */
  private static ServiceProcess startSimulator(
      final int port, final Duration interval, final int words) throws IOException {
    final Map<String, String> env = Map.of(
        SimulatorConfig.PORT.name(), Integer.toString(port),
        SimulatorConfig.CHUNK_INTERVAL.name(), Long.toString(interval.toMillis()),
        SimulatorConfig.REPLY_WORDS.name(), Integer.toString(words));
    final ServiceProcess process = ServiceProcess.start(
        ServiceProcess.Kind.SIMULATOR, 0, env, Files.createTempDirectory("tiergate-simulator"));
    try {
      return process.awaitHealthy(
          URI.create(loopbackUrl(port) + "/_sim/calls"), SIMULATOR_START_TIMEOUT);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** The caller's settings over the providers played by the simulator at {@code url}. */
  static Map<String, String> throughSimulatorAt(
      final String url, final Map<String, String> env) {
    final Map<String, String> through = new LinkedHashMap<>(TiergateStack.simulatedProviders(url));
    through.putAll(env);
    return through;
  }

  private static String loopbackUrl(final int port) {
    return "http://127.0.0.1:" + port;
  }

  /** Refuses a stream count this process cannot hold sockets for, before a long start-up. */
  private void requireDescriptors(final int streams) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      final long needed = (long) streams * DESCRIPTORS_PER_STREAM + DESCRIPTORS_RESERVED;
      if (needed > unix.getMaxFileDescriptorCount()) {
        throw new CommandLine.ParameterException(spec.commandLine(), String.format(Locale.ROOT,
            "--concurrent %d needs about %d open files through Tiergate (%d per stream and %d for "
                + "the stack); this process may open %d: raise `ulimit -n` or lower --concurrent",
            streams, needed, DESCRIPTORS_PER_STREAM, DESCRIPTORS_RESERVED,
            unix.getMaxFileDescriptorCount()));
      }
    }
  }

  private String commandLine(final Duration interval) {
    final String common = options.flags();
    if (concurrent > 0) {
      return String.format(Locale.ROOT,
          "benchmarks/run.sh streams --concurrent %d --hold %s --ramp %s --chunk-interval %s%s",
          concurrent, hold, ramp, interval, common);
    }
    return "benchmarks/run.sh streams" + runs.flags() + String.format(Locale.ROOT,
        " --chunk-interval %s --reply-words %d%s", interval, replyWords, common);
  }
}
