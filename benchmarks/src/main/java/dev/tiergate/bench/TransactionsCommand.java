package dev.tiergate.bench;

import dev.tiergate.stack.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The dispatcher's transaction round on its own, against the embedded broker: one transactional
 * producer writes a response and a usage record and a consumed offset, commits, and starts the
 * next transaction at once, as the dispatcher does under load. Prints each phase's time, so a
 * broker or client setting (`--broker-setting`, `--producer-setting`) can be compared with the
 * default in two runs.
 */
@Command(name = "transactions", mixinStandardHelpOptions = true,
    description = "The dispatcher's transaction round alone on the embedded broker: time per phase.")
public final class TransactionsCommand implements Callable<Integer> {

  private static final String IN = "bench-routed";
  private static final String RESPONSES = "bench-responses";
  private static final String USAGE = "bench-usage";
  private static final int PARTITIONS = 6;

  @Option(names = "--transactions", defaultValue = "2000", description = "transactions measured")
  int transactions;

  @Option(names = "--warmup", defaultValue = "300", description = "transactions run first, not measured")
  int warmup;

  @Option(names = "--broker-setting", description = "a broker setting over the embedded broker's, e.g. "
      + "add.partitions.to.txn.retry.backoff.ms=20 (Kafka's default)")
  Map<String, String> brokerSettings = new LinkedHashMap<>();

  @Option(names = "--producer-setting", description = "a producer setting, e.g. retry.backoff.ms=100")
  Map<String, String> producerSettings = new LinkedHashMap<>();

  @Option(names = "--visible", description = "also time each round's response until a read_committed "
      + "reader already waiting for it (as the ingress's) has it; rounds then start one after the "
      + "other is visible, as isolated requests at a low rate do")
  boolean visible;

  @Mixin ResultsOption results;

  private final Histogram firstWrite = histogram();
  private final Histogram offsets = histogram();
  private final Histogram commit = histogram();
  private final Histogram round = histogram();
  private final Histogram commitToVisible = histogram();
  private final Histogram startToVisible = histogram();

  @Override
  public Integer call() throws Exception {
    final Report report = results.open("transactions", command());
    try (EmbeddedKafka broker = EmbeddedKafka.startWith(brokerSettings)) {
      createTopics(broker.bootstrapServers());
      try (KafkaConsumer<String, String> consumer = consumer(broker.bootstrapServers());
          KafkaProducer<String, String> producer = producer(broker.bootstrapServers());
          VisibleResponses seen = visible ? new VisibleResponses(broker.bootstrapServers()) : null) {
        consumer.subscribe(List.of(IN));
        // Joins the group, so the offsets go with a real member's metadata.
        consumer.poll(Duration.ofSeconds(5));
        producer.initTransactions();
        for (int i = 0; i < warmup + transactions; i++) {
          oneRound(producer, consumer, seen, i, i >= warmup);
        }
      }
    }
    report.line(String.format(Locale.ROOT,
        "%d transactions %s (a response, a usage record and an offset each), after %d "
            + "not measured; broker settings %s, producer settings %s. Load average: %s.",
        transactions, visible ? "each after the previous one's response was visible" : "back to back",
        warmup, brokerSettings, producerSettings, Report.loadAverage()));
    report.line("");
    report.line("| phase | p50 ms | p90 ms | p99 ms |");
    report.line("|---|---:|---:|---:|");
    row(report, "first write (waits for the previous transaction's markers)", firstWrite);
    row(report, "offsets to the transaction", offsets);
    row(report, "commit", commit);
    row(report, "**whole round**", round);
    if (visible) {
      row(report, "commit → visible to a waiting read_committed reader (markers, fetch)", commitToVisible);
      row(report, "**first write → visible to the reader**", startToVisible);
    }
    report.close();
    return 0;
  }

  private void oneRound(
      final KafkaProducer<String, String> producer, final KafkaConsumer<String, String> consumer,
      final VisibleResponses seen, final int i, final boolean measured) throws Exception {
    final String key = "req_" + i;
    final CompletableFuture<Long> shown = seen == null ? null : seen.expect(key);
    final long start = System.nanoTime();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(RESPONSES, key, "response")).get();
    producer.send(new ProducerRecord<>(USAGE, key, "usage"));
    final long written = System.nanoTime();
    producer.sendOffsetsToTransaction(
        Map.of(new TopicPartition(IN, i % PARTITIONS), new OffsetAndMetadata(i)),
        consumer.groupMetadata());
    final long offsetsAdded = System.nanoTime();
    producer.commitTransaction();
    final long committed = System.nanoTime();
    if (measured) {
      firstWrite.recordValue(written - start);
      offsets.recordValue(offsetsAdded - written);
      commit.recordValue(committed - offsetsAdded);
      round.recordValue(committed - start);
    }
    if (shown != null) {
      final long visibleAt = shown.get(30, TimeUnit.SECONDS);
      if (measured) {
        commitToVisible.recordValue(Math.max(0, visibleAt - committed));
        startToVisible.recordValue(visibleAt - start);
      }
    }
  }

  /**
   * A group-less read_committed reader of every response partition, polling on a thread of its own
   * from the end, as the ingress's reply tail does: notes when each awaited response arrives.
   */
  private static final class VisibleResponses implements AutoCloseable {
    private final Map<String, CompletableFuture<Long>> awaited = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, String> reader;
    private final Thread thread;
    private volatile boolean running = true;

    VisibleResponses(final String bootstrap) {
      final Properties props = new Properties();
      props.putAll(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed",
          "enable.auto.commit", "false", "fetch.max.wait.ms", "5000"));
      reader = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
      final List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(RESPONSES, p));
      }
      reader.assign(partitions);
      reader.seekToEnd(partitions);
      partitions.forEach(reader::position);
      thread = new Thread(this::read, "bench-visible-responses");
      thread.setDaemon(true);
      thread.start();
    }

    CompletableFuture<Long> expect(final String key) {
      return awaited.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    private void read() {
      try {
        while (running) {
          for (final ConsumerRecord<String, String> record : reader.poll(Duration.ofSeconds(1))) {
            final long now = System.nanoTime();
            final CompletableFuture<Long> waiting = awaited.remove(record.key());
            if (waiting != null) {
              waiting.complete(now);
            }
          }
        }
      } catch (WakeupException e) {
        if (running) {
          throw e;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      reader.wakeup();
      thread.join(TimeUnit.SECONDS.toMillis(10));
      reader.close(CloseOptions.timeout(Duration.ofSeconds(1)));
    }
  }

  private static void createTopics(final String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      final List<NewTopic> topics = new ArrayList<>();
      for (final String name : List.of(IN, RESPONSES, USAGE)) {
        topics.add(new NewTopic(name, PARTITIONS, (short) 1));
      }
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<String, String> consumer(final String bootstrap) {
    final Properties props = new Properties();
    props.putAll(Map.of("bootstrap.servers", bootstrap, "group.id", "bench-dispatcher",
        "group.protocol", "consumer", "isolation.level", "read_committed",
        "enable.auto.commit", "false"));
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  /** Like the dispatcher's: acks=all, no linger, its 10 ms retry back-off; then the options'. */
  private KafkaProducer<String, String> producer(final String bootstrap) {
    final Properties props = new Properties();
    props.putAll(Map.of("bootstrap.servers", bootstrap, "transactional.id", "bench-dispatcher-0",
        "acks", "all", "linger.ms", "0", "retry.backoff.ms", "10"));
    props.putAll(producerSettings);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private String command() {
    final StringBuilder command = new StringBuilder("benchmarks/run.sh transactions --transactions ")
        .append(transactions).append(" --warmup ").append(warmup).append(visible ? " --visible" : "");
    brokerSettings.forEach((name, value) -> command.append(" --broker-setting ").append(name).append('=').append(value));
    producerSettings.forEach((name, value) -> command.append(" --producer-setting ").append(name).append('=').append(value));
    return command.toString();
  }

  private static void row(final Report report, final String phase, final Histogram histogram) {
    report.line(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |", phase,
        millis(histogram, 50), millis(histogram, 90), millis(histogram, 99)));
  }

  private static double millis(final Histogram histogram, final double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1e6;
  }

  private static Histogram histogram() {
    return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  }
}
