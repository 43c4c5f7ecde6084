package dev.tiergate.launcher.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft broker that can be stopped and started again on the same ports and log
 * directory, as an operator restarts a broker: clients keep their bootstrap address and reconnect
 * by themselves. {@code EmbeddedKafka} picks new ports on every start, which no running client
 * could follow.
 */
final class RestartableBroker implements AutoCloseable {

  private final Properties props;
  private KafkaRaftServer server;

  RestartableBroker(final Path dataDir, final int brokerPort, final int controllerPort) {
    Objects.requireNonNull(dataDir, "dataDir");
    this.props = properties(dataDir.toAbsolutePath(), brokerPort, controllerPort);
    format(dataDir.toAbsolutePath());
  }

  String bootstrapServers() {
    return "127.0.0.1:" + props.getProperty("broker.port");
  }

  synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("broker already running");
    }
    final Properties config = new Properties();
    config.putAll(props);
    config.remove("broker.port");
    server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
    server.startup();
  }

  synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static Properties properties(final Path dir, final int brokerPort, final int controllerPort) {
    final Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("broker.port", String.valueOf(brokerPort)),
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
            Map.entry("listeners",
                "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", dir.resolve("logs").toString()),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "6"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "6"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024)),
            Map.entry("num.network.threads", "2"),
            Map.entry("num.io.threads", "4")));
    return p;
  }

  /** {@code kafka-storage.sh format}, once, without its System.exit. */
  private void format(final Path dir) {
    final Path configFile = dir.resolve("server.properties");
    try {
      Files.createDirectories(dir);
      final Properties config = new Properties();
      config.putAll(props);
      config.remove("broker.port");
      try (OutputStream out = Files.newOutputStream(configFile)) {
        config.store(out, "fault suite broker");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final String[] args = {
      "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(), "--ignore-formatted"
    };
    final int exitCode;
    try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exitCode = StorageTool.execute(args, printer);
    }
    if (exitCode != 0) {
      throw new IllegalStateException(
          "formatting " + dir + " failed: " + output.toString(StandardCharsets.UTF_8));
    }
  }
}
