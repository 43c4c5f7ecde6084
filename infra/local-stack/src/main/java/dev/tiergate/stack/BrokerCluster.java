package dev.tiergate.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of several nodes on this machine, each in its own JVM ({@code kafka.Kafka}, the
 * broker's own main class), so a test or {@code tiergate up --brokers 3} can kill a broker with
 * SIGKILL and watch the others carry on. Every node is broker and controller (a three-voter
 * quorum for three nodes); topics get three replicas and writes need two ({@code
 * min.insync.replicas} 2), as on a production cluster. A node keeps its ports, so a restarted node
 * rejoins and clients find it again.
 */
public final class BrokerCluster extends StopsOnce {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerCluster.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_PAUSE = Duration.ofMillis(100);
  private static final int LOG_TAIL_LINES = 30;
  private static final List<String> JVM_OPTIONS =
      List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** One node: its id, broker port and directory (logs, server.properties, its output). */
  private record Node(int id, int brokerPort, Path dir) {
    Path config() {
      return dir.resolve("server.properties");
    }
  }

  private final List<Node> nodes;
  private final Process[] processes;
  private final String bootstrapServers;

  private BrokerCluster(final List<Node> nodes) {
    this.nodes = List.copyOf(nodes);
    this.processes = new Process[nodes.size()];
    this.bootstrapServers = nodes.stream()
        .map(node -> "127.0.0.1:" + node.brokerPort())
        .collect(Collectors.joining(","));
  }

  /** Formats {@code size} nodes under {@code dataDir}, starts them and waits until all have joined. */
  public static BrokerCluster start(final Path dataDir, final int size) {
    Objects.requireNonNull(dataDir, "dataDir");
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node");
    }
    final long startedAt = System.nanoTime();
    final int[] brokerPorts = new int[size];
    final StringBuilder voters = new StringBuilder();
    final int[] controllerPorts = new int[size];
    for (int i = 0; i < size; i++) {
      brokerPorts[i] = FreePorts.pick();
      controllerPorts[i] = FreePorts.pick();
      voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
    }
    final String clusterId = Uuid.randomUuid().toString();
    final List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      final Node node = new Node(i + 1, brokerPorts[i], dataDir.toAbsolutePath().resolve("node-" + (i + 1)));
      final Properties props = nodeProperties(node, controllerPorts[i], voters.toString(), size);
      EmbeddedKafka.format(node.dir(), props, existingOr(props, clusterId));
      nodes.add(node);
    }
    final BrokerCluster cluster = new BrokerCluster(nodes);
    try {
      for (int i = 0; i < size; i++) {
        cluster.start(i);
      }
      cluster.awaitNodes(size, READY_TIMEOUT);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    LOG.info("Kafka cluster of {} nodes up at {} after {} ms", size, cluster.bootstrapServers,
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    return cluster;
  }

  /** The id a previous start on the same directory wrote, else the new cluster's. */
  private static String existingOr(final Properties props, final String clusterId) {
    final Path meta = Path.of(props.getProperty("log.dirs"), "meta.properties");
    return meta.toFile().isFile() ? EmbeddedKafka.clusterId(props) : clusterId;
  }

  private static Properties nodeProperties(
      final Node node, final int controllerPort, final String voters, final int size) {
    final Properties props = new Properties();
    props.putAll(Map.ofEntries(
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", String.valueOf(node.id())),
        Map.entry("controller.quorum.voters", voters),
        Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort()
            + ",CONTROLLER://127.0.0.1:" + controllerPort),
        Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort()),
        Map.entry("controller.listener.names", "CONTROLLER"),
        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
        Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        Map.entry("log.dirs", node.dir().resolve("logs").toString()),
        // A SIGKILLed broker is noticed when its session lapses; at the 9 s default, its partitions
        // would be leaderless for about as long as the ingress waits for a write (10 s).
        Map.entry("broker.heartbeat.interval.ms", "500"),
        Map.entry("broker.session.timeout.ms", "3000")));
    props.putAll(EmbeddedKafka.smallMachineSettings(size));
    return props;
  }

  /** Every node's broker listener, comma-separated, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public int size() {
    return nodes.size();
  }

  /** Starts node {@code index} (0-based) again after {@link #kill}; it keeps its ports and data. */
  public synchronized void start(final int index) {
    if (isRunning(index)) {
      throw new IllegalStateException("node " + nodes.get(index).id() + " is running");
    }
    final Node node = nodes.get(index);
    final List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "kafka.Kafka",
        node.config().toString()));
    final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(node.dir().resolve("broker.log").toFile()));
    try {
      processes[index] = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kafka node " + node.id(), e);
    }
  }

  /** SIGKILL: the node gets no chance to flush, hand over leadership or deregister. */
  public synchronized void kill(final int index) {
    final Process process = processes[index];
    if (process != null) {
      process.destroyForcibly();
      waitFor(process, STOP_TIMEOUT);
      processes[index] = null;
      LOG.info("Kafka node {} killed", nodes.get(index).id());
    }
  }

  public synchronized boolean isRunning(final int index) {
    return processes[index] != null && processes[index].isAlive();
  }

  /** Waits until {@code count} brokers are registered and answering. */
  public void awaitNodes(final int count, final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    final Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          LOG.debug("cluster not ready yet: {}", e.toString());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(count + " Kafka nodes did not join within " + timeout
              + "; see broker.log under each node's directory");
        }
        pauseWatchingNodes();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster", e);
    }
  }

  /** Waits a moment between readiness polls on a running node, so a node that died is noticed. */
  private synchronized void pauseWatchingNodes() throws InterruptedException {
    for (int i = 0; i < processes.length; i++) {
      if (processes[i] != null && processes[i].waitFor(POLL_PAUSE.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("Kafka node " + nodes.get(i).id() + " exited with "
            + processes[i].exitValue() + "; the end of its broker.log:\n" + logTail(nodes.get(i)));
      }
    }
  }

  /** Stops every node (SIGTERM, then SIGKILL after a grace period). */
  @Override
  protected void stop() {
    for (final Process process : processes) {
      if (process != null) {
        process.destroy();
      }
    }
    for (int i = 0; i < processes.length; i++) {
      if (processes[i] != null && !waitFor(processes[i], STOP_TIMEOUT)) {
        processes[i].destroyForcibly();
      }
      processes[i] = null;
    }
    LOG.info("Kafka cluster at {} stopped", bootstrapServers);
  }

  private static String logTail(final Node node) {
    try {
      final List<String> lines = java.nio.file.Files.readAllLines(node.dir().resolve("broker.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Waits for a process to exit; true when it did. */
  private static boolean waitFor(final Process process, final Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
