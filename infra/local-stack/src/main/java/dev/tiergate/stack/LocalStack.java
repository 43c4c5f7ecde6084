package dev.tiergate.stack;

import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SchemaCatalogue;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the pipeline needs around it on one machine: a real KRaft broker, the schema registry
 * and every catalogue topic. What integration tests and the all-in-one process start; real
 * deployments point the services at a real cluster instead.
 */
public final class LocalStack extends StopsOnce {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  /** The group and transactional id that make the broker load its coordinators. */
  private static final String COORDINATOR_PROBE = "tiergate-local-stack-coordinators";

  /** The single in-process broker, or the multi-node cluster of child JVMs. */
  private final AutoCloseable brokers;
  private final String bootstrapServers;
  private final SchemaRegistryProcess registry;
  private final KafkaSettings settings;
  private final Path tempDirToDelete;

  private LocalStack(
      final AutoCloseable brokers, final String bootstrapServers,
      final SchemaRegistryProcess registry, final Path tempDirToDelete) {
    this.brokers = brokers;
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
    this.settings = KafkaSettings.of(bootstrapServers, registry.url());
    this.tempDirToDelete = tempDirToDelete;
  }

  /**
   * Starts broker and registry side by side, then creates every topic of {@link Topics#ALL} and
   * registers its value schema.
   * Broker data, the registry's database and its log go under {@code dataDir}, which is kept on
   * close: a later start on the same directory finds the same topics, records and schema ids.
   */
  public static LocalStack start(final Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    return start(dataDir, null, 1);
  }

  /**
   * Like {@link #start(Path)} with {@code brokers} Kafka nodes: one runs in this JVM; more run as a
   * {@link BrokerCluster} of child JVMs (three replicas per topic, two in sync for a write).
   */
  public static LocalStack start(final Path dataDir, final int brokers) {
    Objects.requireNonNull(dataDir, "dataDir");
    return start(dataDir, null, brokers);
  }

  /** Like {@link #start(Path)} in a temporary directory that is deleted on close. */
  public static LocalStack start() {
    try {
      final Path dir = Files.createTempDirectory("tiergate-stack-");
      return start(dir, dir, 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the stack", e);
    }
  }

  private static LocalStack start(
      final Path dataDir, final Path tempDirToDelete, final int brokers) {
    final long startedAt = System.nanoTime();
    createDirectory(dataDir);
    // The registry is a separate JVM that mostly waits: start it first and bring the broker up
    // in this thread meanwhile.
    final CompletableFuture<SchemaRegistryProcess> registry =
        CompletableFuture.supplyAsync(
            () -> SchemaRegistryProcess.start(dataDir.resolve("schema-registry")),
            task -> new Thread(task, "schema-registry-start").start());
    final AutoCloseable kafka;
    final String bootstrap;
    try {
      if (brokers > 1) {
        final BrokerCluster cluster = BrokerCluster.start(dataDir.resolve("kafka-cluster"), brokers);
        kafka = cluster;
        bootstrap = cluster.bootstrapServers();
      } else {
        final EmbeddedKafka single = EmbeddedKafka.start(dataDir.resolve("kafka"));
        kafka = single;
        bootstrap = single.bootstrapServers();
      }
    } catch (RuntimeException e) {
      registry.thenAccept(SchemaRegistryProcess::close);
      throw e;
    }
    final LocalStack stack;
    final CompletableFuture<Void> coordinators;
    try {
      provisionTopics(bootstrap);
      // Beside the registry's start and the schemas' registration, which do not need them.
      coordinators = CompletableFuture.runAsync(() -> loadCoordinators(bootstrap), task -> {
        final Thread thread = new Thread(task, "kafka-coordinators-load");
        thread.setDaemon(true);
        thread.start();
      });
      stack = new LocalStack(kafka, bootstrap, registry.join(), tempDirToDelete);
    } catch (RuntimeException e) {
      registry.thenAccept(SchemaRegistryProcess::close);
      closeQuietly(kafka);
      throw unwrapped(e);
    }
    try {
      SchemaCatalogue.registerAll(stack.kafkaSettings());
      coordinators.join();
    } catch (RuntimeException e) {
      stack.close();
      throw unwrapped(e);
    }
    LOG.info(
        "Local stack ready after {} ms: {}={} {}={}",
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
        KafkaSettings.BOOTSTRAP_ENV,
        stack.bootstrapServers(),
        KafkaSettings.REGISTRY_ENV,
        stack.registryUrl());
    return stack;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The multi-node cluster, to kill and restart nodes; empty with the single in-process broker. */
  public Optional<BrokerCluster> cluster() {
    return brokers instanceof BrokerCluster cluster ? Optional.of(cluster) : Optional.empty();
  }

  /** The registry's base URL; {@link SerdeFactory#registry(String)} takes it as it is. */
  public String registryUrl() {
    return registry.url();
  }

  /** Connection settings for any Tiergate service, as {@code KafkaSettings.fromEnv} would give. */
  public KafkaSettings kafkaSettings() {
    return settings;
  }

  /** Registry-backed serdes (Confluent wire format) for this stack. */
  public SerdeFactory serdes() {
    return settings.serdes();
  }

  /** A new Admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(settings.clientProperties(Map.of()));
  }

  /** Stops registry and broker. */
  @Override
  protected void stop() {
    try {
      registry.close();
    } finally {
      closeQuietly(brokers);
      if (tempDirToDelete != null) {
        Directories.deleteRecursively(tempDirToDelete);
      }
    }
  }

  /** Creates Tiergate's topics while the registry is still starting; they do not need it. */
  private static void provisionTopics(final String bootstrap) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      new TopicProvisioner(admin).provision(Topics.ALL);
    }
  }

  /** The failure a future wrapped, as it was thrown. */
  private static RuntimeException unwrapped(final RuntimeException e) {
    return e instanceof CompletionException && e.getCause() instanceof RuntimeException cause
        ? cause : e;
  }

  /**
   * A broker creates {@code __consumer_offsets} and {@code __transaction_state} when a client first
   * looks for a group or transaction coordinator, and logs a WARN ({@code Auto topic creation
   * failed ... TOPIC_ALREADY_EXISTS}) for every look-up until they are ready. Left to the services,
   * their clients look all at once, the admin clients among them retrying without a pause: up to
   * hundreds of lines at every first start. Here a consumer and a transactional producer look once
   * each, backing off between retries as clients do, before any service starts. The probe's
   * transactional id stays in the broker's transaction log until it expires.
   */
  private static void loadCoordinators(final String bootstrap) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, COORDINATOR_PROBE,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.committed(
          Set.of(new TopicPartition(Topics.REQUESTS.name(), 0)), TopicProvisioner.DEFAULT_TIMEOUT);
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, COORDINATOR_PROBE),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
    }
  }

  private static void closeQuietly(final AutoCloseable brokers) {
    try {
      brokers.close();
    } catch (Exception e) {
      LOG.warn("stopping Kafka failed", e);
    }
  }

  private static void createDirectory(final Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
