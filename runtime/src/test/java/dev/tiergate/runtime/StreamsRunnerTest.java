package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.stack.EmbeddedKafka;
import dev.tiergate.stack.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamsRunnerTest {

  private static EmbeddedKafka kafka;

  @TempDir Path stateDir;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void replacesAFailedStreamThreadAndKeepsProcessing() throws Exception {
    final String in = topic("in");
    final String out = topic("out");
    final AtomicBoolean failedOnce = new AtomicBoolean();
    final StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .peek((key, value) -> {
          if (value.equals("boom") && failedOnce.compareAndSet(false, true)) {
            throw new IllegalStateException("a poison value, the first time only");
          }
        })
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
    final AtomicInteger replaced = new AtomicInteger();

    try (StreamsRunner runner = new StreamsRunner(
        "test", builder.build(), props(kafka.bootstrapServers()),
        Duration.ofSeconds(10), replaced::incrementAndGet)) {
      assertThat(runner.start(Duration.ofSeconds(60))).isTrue();
      produce(in, "boom", "ok");

      final List<String> values = readValues(out, 2);
      assertThat(values).containsExactly("boom", "ok");
      assertThat(replaced).hasValue(1);
      assertThat(runner.state()).isEqualTo(State.RUNNING);
    }
  }

  @Test
  void closeIsIdempotentAndClosesWhatTheAppUsedAfterIt() throws Exception {
    final StreamsBuilder builder = new StreamsBuilder();
    builder.stream(topic("idle"), Consumed.with(Serdes.String(), Serdes.String()));
    final List<String> closed = new CopyOnWriteArrayList<>();
    final StreamsRunner runner = new StreamsRunner(
            "test", builder.build(), props(kafka.bootstrapServers()),
            Duration.ofSeconds(10), () -> { })
        .closingAfter(() -> closed.add("producer"));

    assertThat(runner.start(Duration.ofSeconds(60))).isTrue();
    runner.close();
    runner.close();

    assertThat(runner.state()).isEqualTo(State.NOT_RUNNING);
    assertThat(runner.awaitStopped()).as("closed, not failed").isEmpty();
    assertThat(closed).containsExactly("producer");
    assertThatThrownBy(() -> runner.start(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aStartBlockedOnAnUnreachableClusterReturnsAndClosesInBoundedTime() {
    // A global table makes KafkaStreams.start() block until it is restored: here, never.
    final StreamsBuilder builder = new StreamsBuilder();
    builder.globalTable("unreachable-table", Consumed.with(Serdes.String(), Serdes.String()),
        Materialized.as("unreachable-store"));
    final StreamsRunner runner = new StreamsRunner(
        "test", builder.build(), props("127.0.0.1:" + FreePorts.pick()),
        Duration.ofSeconds(2), () -> { });

    final long startedAt = System.nanoTime();
    assertThat(runner.start(Duration.ofMillis(500))).isFalse();
    runner.close();
    final Duration took = Duration.ofNanos(System.nanoTime() - startedAt);

    // start waits 0.5 s, close at most its 2 s (and, if start-up is stuck, returns then).
    assertThat(took).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void createsTheInternalTopicsStreamsWouldCreateBeforeTheAppJoins() throws Exception {
    final String in = topic("counted", 3);
    // What Streams creates by itself, at its first assignment.
    final Properties own = props(kafka.bootstrapServers());
    try (KafkaStreams app = new KafkaStreams(countingTopology(in, own), own)) {
      app.start();
      await().atMost(Duration.ofSeconds(90)).until(() -> app.state() == State.RUNNING);
      assertThat(groupJoins(app))
          .as("joined again: its first assignment created the topics it reads").isEqualTo(2);
      app.close(Duration.ofSeconds(10));
    }
    final Map<String, TopicShape> streamsMade = internalTopics(own);
    assertThat(streamsMade).as("a repartition, a key-value and a window changelog").hasSize(4);

    final Properties ahead = props(kafka.bootstrapServers());
    final StreamsRunner runner = new StreamsRunner(
        "test", countingTopology(in, ahead), ahead, Duration.ofSeconds(10), () -> { });
    final KafkaStreams app = runner.streams();
    final Set<String> created = InternalTopics.create(app, Duration.ofSeconds(30));

    final Map<String, TopicShape> createdAhead = internalTopics(ahead);
    assertThat(createdAhead).isEqualTo(streamsMade);
    assertThat(created).hasSize(streamsMade.size()).allSatisfy(name -> assertThat(name)
        .startsWith(ahead.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)));
    try (runner) {
      assertThat(runner.start(Duration.ofSeconds(60))).isTrue();
      assertThat(groupJoins(app)).as("one join: every topic existed").isEqualTo(1);
    }
    assertThat(internalTopics(ahead)).as("the app found every topic it needs").isEqualTo(createdAhead);
  }

  @Test
  void restoresGlobalTablesThenReadsOnFromWhereRestoreEndedWaitingLikeATailAndClosesAtOnce()
      throws Exception {
    final int partitions = 3;
    final String table = topic("table", partitions);
    for (int partition = 0; partition < partitions; partition++) {
      produceTo(table, partition, "restored");
    }
    final AtomicInteger updates = new AtomicInteger();
    final StreamsBuilder builder = new StreamsBuilder();
    builder.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("table-store"),
            Serdes.String(), Serdes.String()).withLoggingDisabled(),
        table, Consumed.with(Serdes.String(), Serdes.String()),
        () -> new Processor<String, String, Void, Void>() {
          private KeyValueStore<String, String> store;

          @Override
          public void init(final ProcessorContext<Void, Void> context) {
            store = context.getStateStore("table-store");
          }

          @Override
          public void process(final Record<String, String> record) {
            updates.incrementAndGet();
            store.put(record.key(), record.value());
          }
        });
    builder.stream(topic("idle"), Consumed.with(Serdes.String(), Serdes.String()));

    try (StreamsRunner runner = new StreamsRunner(
        "test", builder.build(), props(kafka.bootstrapServers()), Duration.ofSeconds(10),
        () -> { })) {
      assertThat(runner.start(Duration.ofSeconds(60))).isTrue();
      final ReadOnlyKeyValueStore<String, String> store = runner.streams().store(
          StoreQueryParameters.fromNameAndType("table-store", QueryableStoreTypes.keyValueStore()));
      assertThat(values(store)).as("every partition restored")
          .containsExactlyInAnyOrderEntriesOf(Map.of("p0", "restored", "p1", "restored", "p2",
              "restored"));
      assertThat(updates).as("restored through the store's processor").hasValue(partitions);

      // The global thread has switched consumers by now (it polls every 100 ms).
      Thread.sleep(1_000);
      assertThat(runner.streams().metrics().keySet())
          .as("the restoring consumer's metrics went with it")
          .noneMatch(metric -> metric.tags().getOrDefault("client-id", "")
              .endsWith(StartupClientSupplier.RESTORING_CLIENT_SUFFIX));
      final double fetchesBefore = globalConsumerFetches(runner.streams());
      Thread.sleep(3_000);
      final double idleFetches = globalConsumerFetches(runner.streams()) - fetchesBefore;
      assertThat(idleFetches)
          .as("3 s idle: a fetch waits a tail's 5 s, not Kafka's 500 ms nor the restore's 10 ms")
          .isBetween(0.0, 2.0);

      for (int partition = 0; partition < partitions; partition++) {
        produceTo(table, partition, "updated");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> updates.get() >= 2 * partitions);
      assertThat(values(store)).containsExactlyInAnyOrderEntriesOf(
          Map.of("p0", "updated", "p1", "updated", "p2", "updated"));
      assertThat(updates).as("read on from where restore ended: nothing again, nothing skipped")
          .hasValue(2 * partitions);

      // The global consumer's next fetch has waited 1 s of its 5: closing does not wait the rest.
      Thread.sleep(1_000);
      final long closing = System.nanoTime();
      runner.close();
      assertThat(Duration.ofNanos(System.nanoTime() - closing))
          .as("closed without waiting for the global consumer's fetch in flight")
          .isLessThan(PartitionTail.IDLE_FETCH_WAIT.minusMillis(2_500));
    }
  }

  private Properties props(final String bootstrapServers) {
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "runner-test-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // The failed thread's member leaves the group when its session lapses: keep that short.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
    return props;
  }

  /**
   * Counts values per value, in total and per hour, after an explicit repartition into two
   * partitions: one topic of each kind Streams makes for itself.
   */
  private static Topology countingTopology(final String in, final Properties props) {
    final StreamsBuilder builder = new StreamsBuilder();
    final KGroupedStream<String, String> byValue = builder
        .stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .repartition(Repartitioned.<String, String>as("spread").withNumberOfPartitions(2)
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
        .selectKey((key, value) -> value)
        .groupByKey(Grouped.<String, String>as("by-value")
            .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
    byValue.count(Materialized.as("counts"));
    byValue.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), Duration.ofMinutes(1)))
        .count(Materialized.as("hourly"));
    props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    return builder.build(props);
  }

  /** How often the app's stream thread has joined its group (the consumer's own count). */
  private static double groupJoins(final KafkaStreams app) {
    return consumerCount(app, "consumer-coordinator-metrics", "join-total", "-consumer");
  }

  /** Fetch requests the app's global consumer has sent (the consumer's own count). */
  private static double globalConsumerFetches(final KafkaStreams app) {
    return consumerCount(app, "consumer-fetch-manager-metrics", "fetch-total", "-global-consumer");
  }

  /** A count the app's consumers whose client id ends in {@code clientIdSuffix} keep. */
  private static double consumerCount(
      final KafkaStreams app, final String group, final String name, final String clientIdSuffix) {
    return app.metrics().entrySet().stream()
        .filter(metric -> metric.getKey().group().equals(group)
            && metric.getKey().name().equals(name)
            && metric.getKey().tags().getOrDefault("client-id", "").endsWith(clientIdSuffix))
        .mapToDouble(metric -> (Double) metric.getValue().metricValue())
        .sum();
  }

  /** A topic's partitions and the configs set on it, as the broker describes them. */
  private record TopicShape(int partitions, Map<String, String> configs) {}

  /** The app's internal topics by name without the application id. */
  private static Map<String, TopicShape> internalTopics(final Properties props) throws Exception {
    final String prefix = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      final Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(name -> name.startsWith(prefix))
          .collect(Collectors.toSet());
      final Map<String, TopicDescription> descriptions =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      final Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
              .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList())
          .all().get(30, TimeUnit.SECONDS);
      final Map<String, TopicShape> shapes = new TreeMap<>();
      configs.forEach((resource, config) -> shapes.put(
          resource.name().substring(prefix.length()),
          new TopicShape(
              descriptions.get(resource.name()).partitions().size(),
              config.entries().stream()
                  .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                  .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value)))));
      return shapes;
    }
  }

  private static String topic(final String prefix) {
    return topic(prefix, 1);
  }

  private static String topic(final String prefix, final int partitions) {
    final String name = prefix + "-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create " + name, e);
    }
    return name;
  }

  private static void produce(final String topic, final String... values) throws Exception {
    send(Arrays.stream(values).map(value -> new ProducerRecord<>(topic, "k", value)).toList());
  }

  /** Sends the records in order, each acknowledged before the next. */
  private static void send(final List<ProducerRecord<String, String>> records) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new StringSerializer(), new StringSerializer())) {
      for (final ProducerRecord<String, String> record : records) {
        producer.send(record).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Map<String, String> values(final ReadOnlyKeyValueStore<String, String> store) {
    final Map<String, String> values = new TreeMap<>();
    try (KeyValueIterator<String, String> all = store.all()) {
      all.forEachRemaining(entry -> values.put(entry.key, entry.value));
    }
    return values;
  }

  /** One record keyed {@code p<partition>} into that partition. */
  private static void produceTo(final String topic, final int partition, final String value)
      throws Exception {
    send(List.of(new ProducerRecord<>(topic, partition, "p" + partition, value)));
  }

  private static List<String> readValues(final String topic, final int count) {
    final List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers(),
            "group.id", "reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
        return values.size() >= count;
      });
    }
    return values;
  }
}
