package dev.tiergate.runtime;

import dev.tiergate.schemas.KafkaSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of one topic on a thread of its own, with no consumer group and no
 * commits, and hands each record to a callback: how a service follows a reply topic, holds a
 * compacted topic as a table or keeps a window of recent records. It starts at the beginning, at
 * the end or at a point in time ({@link Start}), and is {@linkplain #isCaughtUp caught up} once
 * every partition is read up to the end offsets it had at start. A record that cannot be decoded
 * goes to its own callback (by default a warning) and reading goes on past it; any other failure,
 * of the consumer or of the record callback, stops the reader with an error logged, and {@link
 * #isAlive} turns false. The tail owns its consumer and closes it.
 *
 * <p>{@link #readToEnd} is the same read, once, on the calling thread: a topic from the beginning
 * to its end as it was when the read started.
 *
 * <p>A tail's consumer is built from {@link #consumerProperties}: it waits long for records while
 * there are none ({@link #IDLE_FETCH_WAIT}), and the tail closes it without waiting for that fetch.
 */
public final class PartitionTail<V> implements AutoCloseable {

  /**
   * How long one poll waits for records while the tail catches up, or always on a tail noting
   * positions, unless the builder says otherwise: an end reached through a transaction marker alone
   * is seen only when a poll returns.
   */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(200);

  /**
   * How long the broker holds a tail's fetch while there is nothing to read. A record (for a
   * read-committed tail, its transaction's commit) answers a waiting fetch at once, so this bounds
   * only the fetches of an idle tail: at Kafka's 500 ms, serving the idle stack's empty fetches was
   * a third of its CPU (docs/benchmarks.md). Five seconds keeps a silent connection well inside
   * every timeout (a request's 30 s, the broker's idle 10 min).
   */
  public static final Duration IDLE_FETCH_WAIT = Duration.ofSeconds(5);
  /**
   * How long one poll waits once the tail has caught up (unless it notes positions). Records end a
   * poll at once and {@link #close} wakes it, so this only spares the idle thread its wake-ups:
   * five a second per tail at {@link #DEFAULT_POLL_TIMEOUT}.
   */
  static final Duration CAUGHT_UP_POLL_TIMEOUT = IDLE_FETCH_WAIT;
  /**
   * How long closing the consumer may take. A tail has no group to leave and nothing to commit;
   * an unbounded close would only wait for the fetch in flight, up to {@link #IDLE_FETCH_WAIT}.
   */
  static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(PartitionTail.class);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  private final Consumer<String, V> consumer;
  private final String topic;
  private final Start start;
  private final Duration pollTimeout;
  private final boolean keepNotingPositions;
  private final java.util.function.Consumer<ConsumerRecord<String, V>> onRecord;
  private final java.util.function.Consumer<RecordDeserializationException> onUndecodable;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  /** Read positions, noted before each poll, for other threads ({@link #hasRead}). */
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  /** Set up before the reader runs (on its thread, or before it starts); read only by it. */
  private List<TopicPartition> partitions = List.of();
  private Map<TopicPartition, Long> endsAtStart = Map.of();
  private boolean started;
  private boolean setUpOnThread;

  private PartitionTail(final Builder<V> builder) {
    this.consumer = builder.consumer;
    this.topic = builder.topic;
    this.start = builder.start;
    this.pollTimeout = builder.pollTimeout;
    this.keepNotingPositions = builder.notePositions;
    this.onRecord = Objects.requireNonNull(builder.onRecord, "onRecord");
    this.onUndecodable = builder.onUndecodable;
    this.thread = DaemonThreads.named(builder.threadName).newThread(this::run);
  }

  /**
   * A tail of {@code topic} over {@code consumer} (used only by the tail, and closed by it), read
   * from {@code start}.
   */
  public static <V> Builder<V> builder(
      final Consumer<String, V> consumer, final String topic, final Start start) {
    return new Builder<>(consumer, topic, start);
  }

  /**
   * Assigns every partition, seeks each to the start, and starts reading. Returns once the start
   * positions are known, so a tail from the end sees every record produced after this returns.
   *
   * @throws IllegalStateException when the topic has no partitions
   */
  public synchronized void start() {
    if (started || closed.get()) {
      return;
    }
    setUp();
    started = true;
    thread.start();
  }

  /**
   * Starts reading with everything, the partition lookup included, on the tail's thread: a failure
   * there stops the tail (logged) instead of failing the caller.
   */
  public synchronized void startInBackground() {
    if (started || closed.get()) {
      return;
    }
    setUpOnThread = true;
    started = true;
    thread.start();
  }

  private void setUp() {
    final List<TopicPartition> assigned = partitionsOf(consumer, topic, null);
    if (assigned.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " has no partitions; provision it");
    }
    consumer.assign(assigned);
    endsAtStart = start.seek(consumer, assigned);
    partitions = assigned;
    LOG.info("reading {} ({} partitions, {})", topic, assigned.size(), start);
  }

  private void run() {
    try {
      if (setUpOnThread) {
        setUp();
      }
      while (!closed.get()) {
        notePositions();
        pollOnce();
      }
    } catch (WakeupException e) {
      if (!closed.get()) {
        LOG.error("reader of {} woken up unexpectedly; stopped", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("reader of {} failed; stopped", topic, e);
    } finally {
      consumer.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT));
    }
  }

  /** On the reader's thread (the consumer is single-threaded): positions, and whether caught up. */
  private void notePositions() {
    final boolean catchingUp = caughtUp.getCount() > 0;
    if (!catchingUp && !keepNotingPositions) {
      return;
    }
    for (final TopicPartition partition : partitions) {
      positions.put(partition, consumer.position(partition));
    }
    if (catchingUp && hasRead(endsAtStart)) {
      caughtUp.countDown();
      LOG.info("read {} up to where it ended at start", topic);
    }
  }

  private void pollOnce() {
    try {
      final Duration timeout = caughtUp.getCount() == 0 && !keepNotingPositions
          ? CAUGHT_UP_POLL_TIMEOUT
          : pollTimeout;
      for (final ConsumerRecord<String, V> record : consumer.poll(timeout)) {
        onRecord.accept(record);
      }
    } catch (RecordDeserializationException e) {
      onUndecodable.accept(e);
      consumer.seek(e.topicPartition(), e.offset() + 1);
    }
  }

  /** Whether every record the topic held at start has been handed over. */
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  /** Waits until {@link #isCaughtUp}; false when the wait ran out first. */
  public boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Whether every given partition has been read up to (at least) the given offset; on a tail built
   * with {@link Builder#notingPositions} (others note positions only until caught up).
   */
  public boolean hasRead(final Map<TopicPartition, Long> offsets) {
    return offsets.entrySet().stream()
        .allMatch(end -> positions.getOrDefault(end.getKey(), -1L) >= end.getValue());
  }

  /** Whether the reader runs: false before start, after close or after a failure. */
  public boolean isAlive() {
    return thread.isAlive();
  }

  /** Stops reading and closes the consumer. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!started) {
      consumer.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("reader of {} did not stop within {}", topic, JOIN_TIMEOUT);
    }
  }

  /**
   * The properties of a tail's consumer: {@code settings} (its client id, say) over the {@code
   * KAFKA_*} pass-through, over the {@link #IDLE_FETCH_WAIT}; never a group and never a commit,
   * whatever the pass-through says.
   */
  public static Properties consumerProperties(
      final KafkaSettings kafka, final Map<String, ?> settings) {
    Objects.requireNonNull(settings, "settings");
    final Properties props = new Properties();
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(IDLE_FETCH_WAIT.toMillis()));
    props.putAll(kafka.clientProperties(settings));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return props;
  }

  /**
   * Reads every partition of {@code topic} from the beginning up to the end offsets it has when
   * the read starts, on the calling thread, handing each record to {@code onRecord}; a topic with
   * no partitions is read at once. The consumer stays open (the caller owns it).
   *
   * @param timeout the longest the partition and end-offset lookups may take, and then the reading
   * @throws IllegalStateException when the read takes longer than {@code timeout}
   */
  public static <V> void readToEnd(
      final Consumer<String, V> consumer,
      final String topic,
      final Duration timeout,
      final java.util.function.Consumer<ConsumerRecord<String, V>> onRecord) {
    read(consumer, topic, Objects.requireNonNull(timeout, "timeout"), onRecord);
  }

  /**
   * {@link #readToEnd(Consumer, String, Duration, java.util.function.Consumer)} with no deadline of
   * its own: each call to the cluster waits as long as the consumer's settings say.
   */
  public static <V> void readToEnd(
      final Consumer<String, V> consumer,
      final String topic,
      final java.util.function.Consumer<ConsumerRecord<String, V>> onRecord) {
    read(consumer, topic, null, onRecord);
  }

  private static <V> void read(
      final Consumer<String, V> consumer,
      final String topic,
      final Duration timeout,
      final java.util.function.Consumer<ConsumerRecord<String, V>> onRecord) {
    Objects.requireNonNull(onRecord, "onRecord");
    final List<TopicPartition> partitions = partitionsOf(consumer, topic, timeout);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    final Map<TopicPartition, Long> ends =
        timeout == null ? consumer.endOffsets(partitions) : consumer.endOffsets(partitions, timeout);
    final long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
    while (!ends.entrySet().stream()
        .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
      if (timeout != null && System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out reading " + topic);
      }
      consumer.poll(DEFAULT_POLL_TIMEOUT).forEach(onRecord);
    }
  }

  /** The topic's partitions; none when the cluster knows no such topic. */
  private static List<TopicPartition> partitionsOf(
      final Consumer<?, ?> consumer, final String topic, final Duration timeout) {
    final List<PartitionInfo> infos =
        timeout == null ? consumer.partitionsFor(topic) : consumer.partitionsFor(topic, timeout);
    return infos == null
        ? List.of()
        : infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
  }

  /** Where a tail starts reading each partition. */
  public static final class Start {

    private enum Kind { BEGINNING, END, TIME }

    private static final Start BEGINNING = new Start(Kind.BEGINNING, null);
    private static final Start END = new Start(Kind.END, null);

    private final Kind kind;
    private final Supplier<Instant> time;

    private Start(final Kind kind, final Supplier<Instant> time) {
      this.kind = kind;
      this.time = time;
    }

    /** The first record of each partition: a whole compacted table. */
    public static Start beginning() {
      return BEGINNING;
    }

    /** The end, as it is at start: only what is produced from then on (a reply reader). */
    public static Start end() {
      return END;
    }

    /**
     * The first record at or after the instant {@code time} gives when the tail starts; the end
     * of a partition that has none.
     */
    public static Start at(final Supplier<Instant> time) {
      return new Start(Kind.TIME, Objects.requireNonNull(time, "time"));
    }

    /** {@code lookBack} before the clock's time when the tail starts. */
    public static Start lookingBack(final Clock clock, final Duration lookBack) {
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(lookBack, "lookBack");
      return at(() -> clock.instant().minus(lookBack));
    }

    /** Seeks every partition; returns the end offsets a tail has caught up at. */
    private Map<TopicPartition, Long> seek(
        final Consumer<?, ?> consumer, final List<TopicPartition> partitions) {
      switch (kind) {
        case BEGINNING:
          consumer.seekToBeginning(partitions);
          return Map.copyOf(consumer.endOffsets(partitions));
        case END:
          consumer.seekToEnd(partitions);
          // Resolves the end offsets now: everything produced after start returns is read.
          partitions.forEach(consumer::position);
          return Map.of();
        default:
          final long from = time.get().toEpochMilli();
          final Map<TopicPartition, Long> times = new HashMap<>();
          partitions.forEach(partition -> times.put(partition, from));
          final Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
          final Map<TopicPartition, Long> ends = Map.copyOf(consumer.endOffsets(partitions));
          for (final TopicPartition partition : partitions) {
            final OffsetAndTimestamp at = offsets.get(partition);
            consumer.seek(partition, at != null ? at.offset() : ends.get(partition));
          }
          return ends;
      }
    }

    @Override
    public String toString() {
      switch (kind) {
        case BEGINNING:
          return "from the beginning";
        case END:
          return "from the end";
        default:
          return "from a point in time";
      }
    }
  }

  /** The optional settings of a tail; its consumer, topic and start are given up front. */
  public static final class Builder<V> {

    private final Consumer<String, V> consumer;
    private final String topic;
    private final Start start;
    private String threadName;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private boolean notePositions;
    private java.util.function.Consumer<ConsumerRecord<String, V>> onRecord;
    private java.util.function.Consumer<RecordDeserializationException> onUndecodable =
        PartitionTail::skipUndecodable;

    private Builder(final Consumer<String, V> consumer, final String topic, final Start start) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.topic = Objects.requireNonNull(topic, "topic");
      this.start = Objects.requireNonNull(start, "start");
      this.threadName = "tiergate-tail-" + topic;
    }

    /** Called on the tail's thread with every record, tombstones included (required). */
    public Builder<V> onRecord(final java.util.function.Consumer<ConsumerRecord<String, V>> handler) {
      this.onRecord = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Called with a record that cannot be decoded, before reading goes on past it. */
    public Builder<V> onUndecodable(
        final java.util.function.Consumer<RecordDeserializationException> handler) {
      this.onUndecodable = Objects.requireNonNull(handler, "handler");
      return this;
    }

    public Builder<V> threadName(final String name) {
      this.threadName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** How long a poll waits while catching up, or always when {@link #notingPositions}. */
    public Builder<V> pollTimeout(final Duration timeout) {
      this.pollTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Keeps noting read positions after the catch-up, for {@link PartitionTail#hasRead}. */
    public Builder<V> notingPositions() {
      this.notePositions = true;
      return this;
    }

    public PartitionTail<V> build() {
      return new PartitionTail<>(this);
    }
  }

  private static void skipUndecodable(final RecordDeserializationException failure) {
    LOG.warn("skipping undecodable record at {} offset {}",
        failure.topicPartition(), failure.offset(), failure);
  }
}
