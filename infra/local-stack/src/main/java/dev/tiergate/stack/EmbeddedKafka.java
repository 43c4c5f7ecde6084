package dev.tiergate.stack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) running inside this JVM, so
 * tests and the all-in-one process get actual Kafka semantics without Docker or a separate
 * install. Tuned for a small, shared machine; not for production.
 */
public final class EmbeddedKafka extends StopsOnce {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;

  private EmbeddedKafka(
      final KafkaRaftServer server,
      final String bootstrapServers,
      final Path dataDir,
      final boolean deleteDataDirOnClose) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.deleteDataDirOnClose = deleteDataDirOnClose;
  }

  /**
   * Formats (if needed) and starts a broker whose logs live under {@code dataDir}; the directory is
   * kept on close, so a later start on the same directory sees the same topics and data.
   */
  public static EmbeddedKafka start(final Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    return start(dataDir, false, Map.of());
  }

  /** Starts a broker in a fresh temporary directory that is deleted on close. */
  public static EmbeddedKafka start() {
    return startWith(Map.of());
  }

  /**
   * Like {@link #start()} with broker settings of the caller's over this class's (the benchmark
   * harness compares broker settings this way).
   */
  public static EmbeddedKafka startWith(final Map<String, String> brokerSettings) {
    Objects.requireNonNull(brokerSettings, "brokerSettings");
    try {
      return start(Files.createTempDirectory("tiergate-kafka-"), true, brokerSettings);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for Kafka", e);
    }
  }

  private static EmbeddedKafka start(
      final Path dataDir, final boolean deleteOnClose, final Map<String, String> brokerSettings) {
    final long startedAt = System.nanoTime();
    final int brokerPort = FreePorts.pick();
    final int controllerPort = FreePorts.pick();
    final Properties props = brokerProperties(dataDir.toAbsolutePath(), brokerPort, controllerPort);
    props.putAll(brokerSettings);
    format(dataDir, props);
    final KafkaRaftServer server =
        new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    final String bootstrap = "127.0.0.1:" + brokerPort;
    LOG.info(
        "Kafka broker up at {} (data in {}) after {} ms",
        bootstrap,
        dataDir,
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    return new EmbeddedKafka(server, bootstrap, dataDir, deleteOnClose);
  }

  /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * Stops the broker and waits for it. Only once, as {@link StopsOnce} makes sure: a second
   * concurrent shutdown of the server itself would hang for about a minute.
   */
  @Override
  protected void stop() {
    server.shutdown();
    server.awaitShutdown();
    if (deleteDataDirOnClose) {
      Directories.deleteRecursively(dataDir);
    }
    LOG.info("Kafka broker at {} stopped", bootstrapServers);
  }

  static Properties brokerProperties(
      final Path dataDir, final int brokerPort, final int controllerPort) {
    final Properties props = new Properties();
    props.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", String.valueOf(NODE_ID)),
            Map.entry("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", dataDir.resolve("logs").toString())));
    props.putAll(smallMachineSettings(1));
    return props;
  }

  /**
   * Few nodes, little memory, no waiting: the defaults assume a three-broker cluster (internal
   * topics with replication factor 3), delay the first rebalance by 3 s, keep a dead consumer's
   * partitions 45 s and give the log cleaner a 128 MB buffer, most of an idle broker's heap. With
   * three or more nodes every topic has three replicas and writes need two of them ({@code
   * min.insync.replicas} 2), as in production.
   */
  static Map<String, String> smallMachineSettings(final int nodes) {
    final String replicas = String.valueOf(Math.min(3, nodes));
    final String minInSync = nodes >= 3 ? "2" : "1";
    return Map.ofEntries(
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        // The active controller appends a no-op record to the metadata log (and flushes it) this
        // often when nothing else changes, so followers can tell they are current; every 500 ms by
        // default, a fifth of an idle stack's broker CPU (docs/benchmarks.md). No client waits for
        // these records.
        Map.entry("metadata.max.idle.interval.ms", "5000"),
        // A transaction's first write waits until the previous transaction of the same producer has
        // its markers written; the broker checks again after this back-off, 20 ms by default. The
        // dispatcher commits one transaction right after another, so every request paid ~20 ms.
        Map.entry("add.partitions.to.txn.retry.backoff.ms", "1"),
        // KIP-848 consumer groups (what the dispatcher uses): a member that died without leaving
        // holds its partitions for the session timeout; 45 s by default, 10 s here.
        Map.entry("group.consumer.min.session.timeout.ms", "6000"),
        Map.entry("group.consumer.session.timeout.ms", "10000"),
        Map.entry("group.consumer.min.heartbeat.interval.ms", "1000"),
        Map.entry("group.consumer.heartbeat.interval.ms", "2000"),
        Map.entry("offsets.topic.replication.factor", replicas),
        Map.entry("offsets.topic.num.partitions", "6"),
        Map.entry("transaction.state.log.replication.factor", replicas),
        Map.entry("transaction.state.log.min.isr", minInSync),
        Map.entry("transaction.state.log.num.partitions", "6"),
        Map.entry("share.coordinator.state.topic.replication.factor", replicas),
        Map.entry("share.coordinator.state.topic.min.isr", minInSync),
        Map.entry("default.replication.factor", replicas),
        Map.entry("min.insync.replicas", minInSync),
        Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024)),
        Map.entry("num.network.threads", "2"),
        Map.entry("num.io.threads", "4"));
  }

  /** A new cluster id, or the one a previous start wrote (format refuses a different one). */
  static String clusterId(final Properties props) {
    final Path metaFile = Paths.get(props.getProperty("log.dirs"), "meta.properties");
    if (!Files.isRegularFile(metaFile)) {
      return Uuid.randomUuid().toString();
    }
    final Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(metaFile)) {
      meta.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + metaFile, e);
    }
    return Objects.requireNonNull(meta.getProperty("cluster.id"), "cluster.id in " + metaFile);
  }

  private static void format(final Path dataDir, final Properties props) {
    format(dataDir, props, clusterId(props));
  }

  /**
   * Formats the log directory like {@code kafka-storage.sh format}, without its System.exit, and
   * leaves the properties in {@code dataDir/server.properties} (a child broker JVM starts from it).
   */
  static void format(final Path dataDir, final Properties props, final String clusterId) {
    final Path configFile = dataDir.resolve("server.properties");
    try {
      Files.createDirectories(dataDir);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        props.store(out, "written by EmbeddedKafka for kafka-storage format");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final String[] args = {
      "format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted"
    };
    final int exitCode;
    try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode = StorageTool.execute(args, printer);
    }
    final String text = output.toString(StandardCharsets.UTF_8).trim();
    if (exitCode != 0) {
      throw new IllegalStateException("formatting " + dataDir + " failed (" + exitCode + "): " + text);
    }
    LOG.debug("kafka-storage format: {}", text);
  }
}
