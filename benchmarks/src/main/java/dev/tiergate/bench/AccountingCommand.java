package dev.tiergate.bench;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.AccountingService;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Accounting aggregation throughput on the real broker (issue 6): a backlog of usage events is
 * produced first, then the accounting service starts (exactly-once, its configured commit
 * interval) and the time until its committed offsets reach the end of the usage topic gives
 * events/s. Unlike the JMH topology bench, this includes the broker, transactions and changelogs.
 */
@Command(name = "accounting", mixinStandardHelpOptions = true,
    description = "Accounting stream on the real broker: usage events/s from a backlog.")
public final class AccountingCommand implements Callable<Integer> {

  @Option(names = "--events", defaultValue = "200000")
  int events;

  @Option(names = "--budgets", description = "Set one monthly alert budget per tenant first, low"
      + " enough that the run crosses every threshold, so the budget path does its full work.")
  boolean budgets;

  @Mixin ResultsOption results;

  @Option(names = "--warmup-events", defaultValue = "0", description = "Drain this many events"
      + " first with a service that is then closed, so the timed backlog runs on compiled code in"
      + " the same JVM (a service started anew on the warm-up's state).")
  int warmupEvents;

  @Override
  public Integer call() throws Exception {
    final Report report = results.open("accounting", "benchmarks/run.sh accounting --events "
        + events + (warmupEvents > 0 ? " --warmup-events " + warmupEvents : "")
        + (budgets ? " --budgets" : ""));
    final Path dataDir = Files.createTempDirectory("tiergate-accounting");
    try (LocalStack stack = LocalStack.start(dataDir)) {
      final KafkaSettings kafka = stack.kafkaSettings();
      DefaultRoutingTable.load().seed(kafka);
      SchemaWarmup.register(kafka);
      if (budgets) {
        setBudgets(kafka);
      }
      final AccountingConfig config = config(kafka, dataDir);
      try (Admin admin = Admin.create(kafka.clientProperties(Map.of()))) {
        if (warmupEvents > 0) {
          produce(kafka, 0, warmupEvents);
          try (AccountingService warmup = new AccountingService(config, kafka.serdes())) {
            warmup.start();
            awaitCommitted(admin, config.applicationId(), warmupEvents, Duration.ofMinutes(15));
          }
          report.line(String.format(Locale.ROOT, "Warm-up: %d usage events drained by a service"
              + " since closed.", warmupEvents));
        }
        final long produceStart = System.nanoTime();
        produce(kafka, warmupEvents, events);
        final double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        drain(report, config, kafka, admin, produceSeconds);
      }
    }
    report.close();
    return 0;
  }

  /** Starts the service on the backlog and reports how fast it consumed and committed it. */
  private void drain(
      final Report report,
      final AccountingConfig config,
      final KafkaSettings kafka,
      final Admin admin,
      final double produceSeconds) throws Exception {
    try (AccountingService accounting = new AccountingService(config, kafka.serdes())) {
      final CpuMeter cpu = new CpuMeter();
      final long start = System.nanoTime();
      accounting.start();
      final long running = System.nanoTime();
      final CpuMeter.Snapshot before = cpu.snapshot();
      final Map<String, Long> offsetsBefore = internalEndOffsets(admin, config.applicationId());
      awaitCommitted(admin, config.applicationId(), (long) warmupEvents + events,
          Duration.ofMinutes(15));
      final double seconds = (System.nanoTime() - running) / 1e9;
      final Map<String, Double> millis = cpu.snapshot().millisSince(before);
      final Map<String, Long> offsetsAfter = internalEndOffsets(admin, config.applicationId());
      report.line(String.format(Locale.ROOT,
          "%d usage events produced in %.1f s (%.0f/s); accounting RUNNING after %.1f s, then "
              + "consumed and committed them all in %.1f s: **%.0f usage events/s** "
              + "(exactly_once_v2, commit interval %d ms, pre-sum %d ms; 50 tenants × 6 modes "
              + "× 3 models × 7 features × 1,000 sessions).",
          events, produceSeconds, events / produceSeconds, (running - start) / 1e9, seconds,
          events / seconds, config.commitInterval().toMillis(),
          config.presumInterval().toMillis()));
      report.line(cpuLine(millis));
      report.line(recordsLine(config.applicationId(), offsetsBefore, offsetsAfter));
    }
  }

  /**
   * The end offsets of the service's own topics (changelogs and repartitions, named after its
   * application id), summed per topic. Taken before the drain starts, on topics the warm-up made.
   */
  private static Map<String, Long> internalEndOffsets(final Admin admin, final String applicationId)
      throws Exception {
    final Set<String> topics = admin.listTopics().names().get().stream()
        .filter(name -> name.startsWith(applicationId + "-"))
        .collect(Collectors.toSet());
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get().forEach((name, description) ->
        description.partitions().forEach(partition ->
            latest.put(new TopicPartition(name, partition.partition()), OffsetSpec.latest())));
    final Map<String, Long> ends = new TreeMap<>();
    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get()
        .forEach((partition, info) -> ends.merge(partition.topic(), info.offset(), Long::sum));
    return ends;
  }

  /**
   * Records written per usage event on the service's own topics while the backlog drained:
   * offsets added, so transaction markers count too (as in the profile of issue 17). A topic that
   * appears only after the drain started counts from 0.
   */
  private String recordsLine(
      final String applicationId, final Map<String, Long> before, final Map<String, Long> after) {
    final StringBuilder line = new StringBuilder("Records per usage event on the accounting's"
        + " changelog and repartition topics (offsets added, transaction markers included):");
    long total = 0;
    for (final Map.Entry<String, Long> topic : after.entrySet()) {
      final long added = topic.getValue() - before.getOrDefault(topic.getKey(), 0L);
      total += added;
      line.append(String.format(Locale.ROOT, " %s %.2f,",
          topic.getKey().substring(applicationId.length() + 1), (double) added / events));
    }
    return line.append(String.format(Locale.ROOT, " total %.2f.", (double) total / events))
        .toString();
  }

  /**
   * The service's settings: what to compare (e.g. TIERGATE_ACCOUNTING_COMMIT_INTERVAL_MS) comes
   * from the environment; the cluster, the state directory and the ports are the benchmark's own.
   */
  private static AccountingConfig config(final KafkaSettings kafka, final Path dataDir) {
    final Map<String, String> env = new HashMap<>();
    System.getenv().forEach((name, value) -> {
      if (name.startsWith("TIERGATE_ACCOUNTING_") || name.startsWith("KAFKA_")) {
        env.put(name, value);
      }
    });
    env.put(KafkaSettings.BOOTSTRAP_ENV, kafka.bootstrapServers());
    env.put(KafkaSettings.REGISTRY_ENV, kafka.schemaRegistryUrl());
    env.put("TIERGATE_STATE_DIR", dataDir.resolve("streams").toString());
    env.put(AccountingConfig.HOST.name(), "127.0.0.1");
    env.put(AccountingConfig.PORT.name(), "0");
    env.put(AccountingConfig.METRICS_PORT.name(), "0");
    // The query API refuses to start without a key; the benchmark never calls it.
    env.put(VirtualKeySpec.TABLE.name(), "tg-bench-key=tenant-0:balanced");
    return AccountingConfig.fromEnv(env);
  }

  /**
   * CPU per event while the backlog drained, per part of the process: the accounting threads'
   * own figure does not depend on what else the machine runs, the wall-clock rate does.
   */
  private String cpuLine(final Map<String, Double> millis) {
    final StringBuilder line = new StringBuilder("CPU per usage event while draining:");
    millis.forEach((part, ms) -> line.append(String.format(Locale.ROOT, " %s %.1f µs,", part,
        ms * 1000 / events)));
    line.setLength(line.length() - 1);
    return line.append('.').toString();
  }

  /** One monthly alert budget per tenant, at $10: each tenant's 4,000 events cross all thresholds. */
  private static void setBudgets(final KafkaSettings kafka) {
    try (KafkaProducer<String, Budget> producer = new KafkaProducer<>(
        kafka.clientProperties(Map.of()), Topics.BUDGETS.keySerde().serializer(),
        Topics.BUDGETS.valueSerde(kafka.serdes()).serializer())) {
      for (int tenant = 0; tenant < BenchUsage.TENANTS; tenant++) {
        final Budget budget = Budget.newBuilder()
            .setBudgetId("bud_bench" + tenant)
            .setTenant(BenchUsage.tenant(tenant))
            .setPeriod(BudgetPeriod.MONTH)
            .setLimitMicros(10_000_000)
            .setAction(BudgetAction.ALERT)
            .build();
        producer.send(new ProducerRecord<>(Topics.BUDGETS.name(), budget.getBudgetId(), budget));
      }
      producer.flush();
    }
  }

  /** Events {@code first} to {@code first + count - 1}, each its own request. */
  private static void produce(final KafkaSettings kafka, final int first, final int count) {
    final Map<String, Object> overrides = Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 131072);
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(
        kafka.clientProperties(overrides), Topics.USAGE.keySerde().serializer(),
        Topics.USAGE.valueSerde(kafka.serdes()).serializer())) {
      final Instant at = Instant.now();
      for (int i = first; i < first + count; i++) {
        final UsageEvent event = BenchUsage.event(i,
            String.format(Locale.ROOT, "req_bench%08d", i), 1000,
            Usage.newBuilder().setInputTokens(1_000 + i % 5000)
                .setCachedInputTokens(i % 500).setOutputTokens(200 + i % 300).build(),
            at);
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), event.getCorrelationId(), event));
      }
      producer.flush();
    }
  }

  /** Waits until the group's committed offsets on the usage topic add up to {@code expected}. */
  private static void awaitCommitted(
      final Admin admin, final String groupId, final long expected, final Duration timeout)
      throws Exception {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      final Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      final long sum = committed.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(Topics.USAGE.name()) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
      if (sum >= expected) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new IllegalStateException("accounting did not commit " + expected + " events in " + timeout);
  }
}
