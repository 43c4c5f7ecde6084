package dev.tiergate.bench.jmh;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.AccountingTopology;
import dev.tiergate.bench.BenchUsage;
import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Aggregation throughput of the accounting stream (issue 6): usage events through the real {@link
 * AccountingTopology} (decode, price against the catalogue, fan out per dimension, sum into the
 * RocksDB spend store, publish) on a {@link TopologyTestDriver}, one event per operation, over 50
 * tenants × 6 modes × 3 models. No broker: this is the topology's own cost; a broker adds the
 * exactly-once commit overhead on top. Goal: 50k usage events/s on one instance.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class AccountingTopologyBench {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final int EVENTS = 4096;
  private static final Duration PRESUM_FLUSH = AccountingConfig.DEFAULT_PRESUM_INTERVAL.plusMillis(1);

  /** The app runs exactly-once; the driver commits after every record, so the guarantee shows. */
  @Param({"exactly_once_v2", "at_least_once"})
  public String guarantee;

  private Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> usage;
  private List<TestOutputTopic<String, byte[]>> outputs;
  private byte[][] events;
  private int next;
  private int cycle;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    stateDir = Files.createTempDirectory("tiergate-accounting-bench");
    final AccountingConfig config =
        AccountingConfig.defaults(KafkaSettings.of("127.0.0.1:9", "http://127.0.0.1:9"))
            .withStateDir(stateDir);
    final Properties props = new Properties();
    props.putAll(config.streamsProperties());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    driver = new TopologyTestDriver(AccountingTopology.build(SERDES, config), props);
    final TestInputTopic<String, ModelSpec> models = driver.createInputTopic(
        Topics.MODELS.name(), new StringSerializer(), Topics.MODELS.valueSerde(SERDES).serializer());
    for (final Map.Entry<String, ModelSpec> model : DefaultRoutingTable.load().models().entrySet()) {
      models.pipeInput(model.getKey(), model.getValue());
    }
    usage = driver.createInputTopic(Topics.USAGE.name(), new StringSerializer(), new ByteArraySerializer());
    outputs = List.of(
        driver.createOutputTopic(Topics.SPEND.name(), new StringDeserializer(), new ByteArrayDeserializer()),
        driver.createOutputTopic(Topics.USAGE_DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer()));
    events = encodedEvents(0);
  }

  /**
   * One cycle of events. Each cycle has its own correlation ids: accounting bills one usage per
   * correlation id, so repeating ids would measure the duplicate path, not billing.
   */
  private static byte[][] encodedEvents(final int cycle) {
    final Serializer<UsageEvent> serializer = Topics.USAGE.valueSerde(SERDES).serializer();
    final byte[][] encoded = new byte[EVENTS][];
    for (int i = 0; i < EVENTS; i++) {
      final UsageEvent event = BenchUsage.event(i, "req_bench" + cycle + "_" + i, 200,
          Usage.newBuilder().setInputTokens(1_000 + i).setCachedInputTokens(i % 500)
              .setOutputTokens(200 + i % 300).build(),
          Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i));
      encoded[i] = serializer.serialize(Topics.USAGE.name(), event);
    }
    return encoded;
  }

  /**
   * One usage event through the whole topology. Every 4096 events the driver's wall clock moves
   * past the pre-sum interval, so the pre-summed spend is forwarded and aggregated as it would be
   * once a second in the app, and the outputs are drained.
   */
  @Benchmark
  public void aggregate() {
    usage.pipeInput("req_bench", events[next]);
    next = (next + 1) % EVENTS;
    if (next == 0) {
      driver.advanceWallClockTime(PRESUM_FLUSH);
      outputs.forEach(TestOutputTopic::readRecordsToList);
      // Encoding the next cycle costs about one Avro write per event, small beside the driver.
      events = encodedEvents(++cycle);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    driver.close();
  }
}
