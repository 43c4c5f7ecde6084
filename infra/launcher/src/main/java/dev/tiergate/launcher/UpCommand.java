package dev.tiergate.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tiergate up}: the whole stack in this process until Ctrl-C. */
@Command(name = "up", description = "Run broker, registry, simulator and all services in one process.")
final class UpCommand implements Callable<Integer> {

  private static final Path WORKING_DIR = Path.of("");
  private static final String LOCAL_STACK = "dev.tiergate.stack.LocalStack";

  @Option(names = "--port", description = "Ingress HTTP port (default: ${DEFAULT-VALUE}).")
  int ingressPort = 8080;

  @Option(names = "--accounting-port", description = "Accounting HTTP port (default: ${DEFAULT-VALUE}).")
  int accountingPort = 8083;

  @Option(names = "--host",
      description = "Interface every HTTP port binds (default: ${DEFAULT-VALUE}, this machine only)."
          + " The demo key may use every tier: never bind a shared network.")
  String host = TiergateStack.DEFAULT_BIND_HOST;

  @Option(names = "--data-dir", description = "Where broker logs and Streams state go (default: a temp dir).")
  Path dataDir;

  @Option(names = "--brokers", description = "Kafka nodes: 1 in this process, or a cluster of that many broker"
      + " processes with three replicas per topic (default: ${DEFAULT-VALUE}).")
  int brokers = 1;

  @Option(names = "--instances", description = "Run N separate processes of each service (the deployment's"
      + " main classes) instead of all in this process (default: ${DEFAULT-VALUE}, all here).")
  int instances = 0;

  @Option(names = "--exit-after-ready", hidden = true, description = "Stop once ready (smoke tests).")
  boolean exitAfterReady;

  @Override
  public Integer call() throws Exception {
    requireLocalStack();
    final Path dir = dataDir != null ? dataDir : Files.createTempDirectory("tiergate-");
    final TiergateStack stack =
        TiergateStack.start(UpEnvironment.options(System.getenv(), dir, ingressPort, accountingPort)
            .withServiceEnv(TiergateStack.bindEnv(host))
            .withLayout(new TiergateStack.Layout(brokers, instances)));
    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  StackEnv.delete(WORKING_DIR);
                  stack.close();
                  stopped.countDown();
                },
                "tiergate-shutdown"));
    // Lets `tiergate batch ...` in another terminal of this directory find the cluster.
    StackEnv.write(WORKING_DIR, stack.kafkaSettings());
    printBanner(stack);
    if (stack.demoKeyActive()) {
      System.err.println(demoWarning(host));
    }
    if (exitAfterReady) {
      StackEnv.delete(WORKING_DIR);
      stack.close();
      return 0;
    }
    stopped.await();
    return 0;
  }

  /** One line: what the demo key may do and who can reach it. */
  static String demoWarning(final String host) {
    return "WARNING: demo mode: the well-known key " + TiergateStack.DEMO_KEY
        + " is active and may use every tier; the HTTP ports are bound to " + host
        + ("127.0.0.1".equals(host) || "localhost".equals(host) || "::1".equals(host)
            ? " (this machine only)." : ", reachable from the network: anyone there can spend with it.");
  }

  private static void printBanner(final TiergateStack stack) {
    final String ingress = stack.ingressUrl();
    System.out.printf(
        """

        Tiergate is up (ready in %.1f s).
          OpenAI-compatible API   %s/v1/chat/completions   (key: tg-demo-key)
          Kilo Code base URL      %s/api/gateway   (or /api/openrouter; same key)
          Dashboard               %s/dashboard#key=tg-demo-key
          Ingress metrics         %s  (Prometheus; its own port, no key)
          Accounting metrics      %s
          Ingress instances       %s
          Kafka bootstrap         %s
          Schema registry         %s  (Confluent-compatible API at /apis/ccompat/v7)
          Provider simulator      %s
          Batch jobs              ./tiergate batch submit FILE.jsonl --wait  (finds this stack via .tiergate/stack.env)

        Try it:
          curl -si %s/v1/chat/completions -H 'Authorization: Bearer tg-demo-key' \\
            -H 'Content-Type: application/json' -H 'x-tiergate-mode: plan' \\
            -d '{"model":"auto/frontier","messages":[{"role":"user","content":"Plan a refactor"}]}'
            (plan on the frontier tier: x-tiergate-model says anthropic/claude-sonnet-4.5;
             mode code says openai/gpt-5-mini, mode explore google/gemini-2.5-flash)
          curl -s %s/v1/embeddings -H 'Authorization: Bearer tg-demo-key' \
            -H 'Content-Type: application/json' -d '{"model":"auto/balanced","input":"Plan a refactor"}'
          curl -s '%s/v1/spend?by=mode' -H 'Authorization: Bearer tg-demo-key'

        Ctrl-C stops everything.
        %n""",
        stack.startupTime().toMillis() / 1000.0,
        ingress,
        ingress,
        stack.accountingUrl(),
        stack.ingressMetricsUrl(),
        stack.accountingMetricsUrl(),
        String.join(" ", stack.ingressUrls()),
        stack.kafkaSettings().bootstrapServers(),
        stack.kafkaSettings().schemaRegistryUrl(),
        stack.simulatorUrl(),
        ingress,
        ingress,
        stack.accountingUrl());
  }

  /**
   * The service image carries the launcher without the local stack (infra/image): there {@code up}
   * fails in one line instead of on a missing class half-way through starting.
   */
  static void requireLocalStack() {
    try {
      Class.forName(LOCAL_STACK, false, UpCommand.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("tiergate up needs the local stack (infra/local-stack) on the"
          + " classpath; this installation carries only the services and the cluster commands", e);
    }
  }
}
