package dev.tiergate.dispatcher;

import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One consumer-group member on {@code tiergate.routed} (interactive requests) and {@code
 * tiergate.routed-batch} (batch items). A poll loop on its own thread decodes each record itself (an
 * undecodable one goes to its topic's dead-letter topic instead of wedging the loop), serves up to
 * {@code maxInFlight} interactive requests at once plus up to {@code maxBatchInFlight} batch items
 * (their own budget), pauses only the partitions of the topic whose backlog is full so it keeps
 * polling (and stays in the group) — a long batch holds back batch partitions while interactive ones
 * keep flowing — and commits a partition's offset only once the response of every earlier record
 * of that partition is acknowledged.
 *
 * <p>A failure to publish is fatal: the worker stops without committing past the request, leaves
 * the group, and {@link #failure()} says why.
 */
public final class DispatcherWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DispatcherWorker.class);

  private final WorkerSettings settings;
  private final Consumer<String, byte[]> consumer;
  private final ResponsePublisher publisher;
  private final RoutedRequestHandler handler;
  private final Deserializer<RoutedRequest> deserializer;
  private final ProducedResponses produced;

  // Poll-thread state.
  private final OffsetTracker offsets = new OffsetTracker();
  private final RecentIds recent;
  private final Deque<Work> backlog = new ArrayDeque<>();
  private final Deque<Work> batchBacklog = new ArrayDeque<>();
  private final Map<Position, Disposable> running = new HashMap<>();
  // Written by the poll thread only; volatile so metrics can read them.
  private volatile int inFlight;
  private volatile int batchInFlight;
  private int deadLettersInFlight;

  private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile Throwable failure;

  public DispatcherWorker(
      final WorkerSettings settings,
      final Consumer<String, byte[]> consumer,
      final ResponsePublisher publisher,
      final RoutedRequestHandler handler,
      final SerdeFactory serdes) {
    this(settings, consumer, publisher, handler, serdes, new ProducedResponses(settings.dedupCapacity()));
  }

  /**
   * @param produced correlation ids already answered on {@code tiergate.responses}, kept current by
   *     the caller; a redelivered request among them is skipped
   */
  public DispatcherWorker(
      final WorkerSettings settings,
      final Consumer<String, byte[]> consumer,
      final ResponsePublisher publisher,
      final RoutedRequestHandler handler,
      final SerdeFactory serdes,
      final ProducedResponses produced) {
    this.produced = Objects.requireNonNull(produced, "produced");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.deserializer = Topics.ROUTED.valueSerde(Objects.requireNonNull(serdes, "serdes")).deserializer();
    this.recent = new RecentIds(settings.dedupCapacity());
  }

  /** Subscribes and starts the poll thread; returns at once. */
  public void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("worker already started or closed");
    }
    final Thread thread = new Thread(this::run, "tiergate-dispatcher-poll");
    thread.setDaemon(false);
    thread.start();
  }

  public boolean isRunning() {
    return started.get() && terminated.getCount() > 0;
  }

  /** Requests of one lane being served now; readable from any thread (metrics). */
  public int inFlight(final boolean batch) {
    final int batchNow = batchInFlight;
    return batch ? batchNow : Math.max(0, inFlight - batchNow);
  }

  /** Why the worker stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Waits for the poll thread to end; true when it did within the timeout. */
  public boolean awaitTermination(final Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops polling, waits up to the close timeout for in-flight requests, commits what is complete
   * and closes the consumer. Idempotent; the producer belongs to the caller.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitQuietly(settings.closeTimeout().plusSeconds(5));
      return;
    }
    stopping = true;
    if (!started.get()) {
      consumer.close();
      terminated.countDown();
      return;
    }
    consumer.wakeup();
    if (!awaitQuietly(settings.closeTimeout().plusSeconds(5))) {
      log.warn("dispatcher poll thread did not stop within {}", settings.closeTimeout());
    }
  }

  private void run() {
    try {
      consumer.subscribe(List.of(Topics.ROUTED.name(), Topics.ROUTED_BATCH.name()), new Rebalance());
      while (!stopping && failure == null) {
        loopOnce();
      }
      drain();
    } catch (RuntimeException e) {
      failure = e;
      log.error("dispatcher worker stopped on an unexpected error", e);
    } finally {
      running.values().forEach(Disposable::dispose);
      closeConsumer();
      terminated.countDown();
    }
  }

  private void loopOnce() {
    applyCompletions();
    startBacklog();
    commitAsync();
    pauseOrResume();
    final ConsumerRecords<String, byte[]> records = poll();
    records.forEach(this::accept);
    if (records.isEmpty() && !settings.idlePause().isZero()) {
      awaitCompletion(settings.idlePause());
    }
  }

  private ConsumerRecords<String, byte[]> poll() {
    try {
      return consumer.poll(settings.pollTimeout());
    } catch (WakeupException e) {
      return ConsumerRecords.empty();
    }
  }

  private void accept(final ConsumerRecord<String, byte[]> record) {
    final TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    offsets.received(partition, record.offset());
    final RoutedRequest routed;
    try {
      routed = decode(record);
    } catch (RuntimeException e) {
      deadLetter(partition, record, "undecodable RoutedRequest: " + e.getMessage());
      return;
    }
    final String correlationId = routed.getRequest().getCorrelationId();
    if (produced.contains(correlationId)) {
      log.info("skipping {} at {}/{}: its response is already published", correlationId, partition, record.offset());
      offsets.completed(partition, record.offset());
      return;
    }
    if (!recent.add(correlationId)) {
      log.info("skipping duplicate request {} at {}/{}", correlationId, partition, record.offset());
      offsets.completed(partition, record.offset());
      return;
    }
    final Work work = new Work(new Position(partition, record.offset()), routed);
    (work.batch() ? batchBacklog : backlog).add(work);
  }

  private RoutedRequest decode(final ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      throw new SerializationException("record has no value");
    }
    final RoutedRequest routed = deserializer.deserialize(record.topic(), record.headers(), record.value());
    if (routed == null) {
      throw new SerializationException("value decoded to null");
    }
    return routed;
  }

  private void deadLetter(
      final TopicPartition partition, final ConsumerRecord<String, byte[]> record, final String reason) {
    log.warn("dead-lettering {}/{}: {}", partition, record.offset(), reason);
    deadLettersInFlight++;
    final Position position = new Position(partition, record.offset());
    publisher
        .deadLetter(record, reason)
        .whenComplete((ignored, error) -> completions.add(new Completion(position, false, false, error)));
  }

  private void startBacklog() {
    while (inFlight - batchInFlight < settings.maxInFlight() && !backlog.isEmpty()) {
      start(backlog.poll());
    }
    while (batchInFlight < settings.maxBatchInFlight() && !batchBacklog.isEmpty()) {
      start(batchBacklog.poll());
    }
  }

  private void start(final Work work) {
    inFlight++;
    if (work.batch()) {
      batchInFlight++;
    }
    final Disposable subscription =
        Mono.defer(() -> handler.handle(work.routed()))
            .subscribe(
                ignored -> {},
                error -> completions.add(new Completion(work.position(), work.batch(), error)),
                () -> completions.add(new Completion(work.position(), work.batch(), null)));
    running.put(work.position(), subscription);
  }

  private void applyCompletions() {
    Completion completion;
    while ((completion = completions.poll()) != null) {
      apply(completion);
    }
  }

  private void awaitCompletion(final Duration timeout) {
    try {
      final Completion completion = completions.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (completion != null) {
        apply(completion);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }

  private void apply(final Completion completion) {
    if (completion.request()) {
      inFlight--;
      if (completion.batch()) {
        batchInFlight--;
      }
      running.remove(completion.position());
    } else {
      deadLettersInFlight--;
    }
    if (completion.error() != null) {
      log.error("could not publish the outcome of {}; stopping", completion.position(), completion.error());
      failure = completion.error();
      return;
    }
    offsets.completed(completion.position().partition(), completion.position().offset());
  }

  /** Each topic is paused on its own backlog: a full batch lane never holds back interactive work. */
  private void pauseOrResume() {
    final boolean interactiveFull = inFlight - batchInFlight + backlog.size() >= settings.maxInFlight();
    final boolean batchFull = batchBacklog.size() >= settings.maxBatchInFlight();
    pauseOrResume(Topics.ROUTED.name(), interactiveFull);
    pauseOrResume(Topics.ROUTED_BATCH.name(), batchFull);
  }

  private void pauseOrResume(final String topic, final boolean full) {
    final Set<TopicPartition> paused = consumer.paused();
    final Set<TopicPartition> change = new HashSet<>();
    for (final TopicPartition partition : consumer.assignment()) {
      if (partition.topic().equals(topic) && paused.contains(partition) != full) {
        change.add(partition);
      }
    }
    if (change.isEmpty()) {
      return;
    }
    if (full) {
      consumer.pause(change);
    } else {
      consumer.resume(change);
    }
  }

  private void commitAsync() {
    final Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
    if (!ready.isEmpty()) {
      consumer.commitAsync(
          ready,
          (committed, error) -> {
            if (error != null) {
              log.warn("offset commit failed; a later commit supersedes it: {}", error.toString());
            }
          });
      offsets.markCommitted(ready);
    }
  }

  private void commitSync(final Map<TopicPartition, OffsetAndMetadata> ready) {
    if (ready.isEmpty()) {
      return;
    }
    try {
      commitSyncOnce(ready);
    } catch (WakeupException e) {
      // close() woke a consumer that was not polling; the wake-up is spent, so try once more.
      commitSyncOnce(ready);
    }
  }

  private void commitSyncOnce(final Map<TopicPartition, OffsetAndMetadata> ready) {
    try {
      consumer.commitSync(ready);
      offsets.markCommitted(ready);
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      log.warn("offset commit failed; those records will be redelivered: {}", e.toString());
    }
  }

  /** Lets in-flight work finish (up to the close timeout) and commits what completed. */
  private void drain() {
    final long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    while ((inFlight > 0 || deadLettersInFlight > 0)
        && failure == null
        && !Thread.currentThread().isInterrupted()) {
      final long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.warn("closing with {} requests still in flight; they will be redelivered", inFlight);
        break;
      }
      awaitCompletion(Duration.ofNanos(left));
    }
    commitSync(offsets.committable());
  }

  private void closeConsumer() {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      log.warn("consumer close failed: {}", e.toString());
    }
  }

  private boolean awaitQuietly(final Duration timeout) {
    try {
      return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Drops what a partition we lost had not started, so its next owner serves it. */
  private void forget(final Collection<TopicPartition> partitions) {
    offsets.remove(partitions);
    forget(partitions, backlog);
    forget(partitions, batchBacklog);
  }

  private void forget(final Collection<TopicPartition> partitions, final Deque<Work> queue) {
    queue.removeIf(
        work -> {
          final boolean drop = partitions.contains(work.position().partition());
          if (drop) {
            recent.remove(work.routed().getRequest().getCorrelationId());
          }
          return drop;
        });
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
      applyCompletions();
      commitSync(offsets.committable(partitions));
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(final Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
      log.info("assigned {}", partitions);
    }
  }

  private record Position(TopicPartition partition, long offset) {
    @Override
    public String toString() {
      return partition + "@" + offset;
    }
  }

  /**
   * The lane is the topic the request came from: the router puts batch items on {@code
   * tiergate.routed-batch}, and pausing is per topic, so the budget follows the topic too.
   */
  private record Work(Position position, RoutedRequest routed) {
    boolean batch() {
      return Topics.ROUTED_BATCH.name().equals(position.partition().topic());
    }
  }

  /**
   * @param request true for a served request, false for a dead letter
   * @param batch true for a batch request
   */
  private record Completion(Position position, boolean request, boolean batch, Throwable error) {
    Completion(final Position position, final boolean batch, final Throwable error) {
      this(position, true, batch, error);
    }
  }
}
