package dev.tiergate.dispatcher;

import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.tracing.KafkaTraceHeaders;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * keep flowing.
 *
 * <p>Finished requests are written in one Kafka transaction per round ({@link
 * TransactionalOutcomes}): their responses, usage and dead letters together with the consumed
 * offsets, a partition's offset never past a record whose outcome is not in that or an earlier
 * transaction. A transaction starts as soon as something finished, so the answer waits for one
 * commit, not for a timer. It is committed on a thread of its own while the poll thread goes on
 * taking and starting requests (a commit takes several broker round trips); what finishes
 * meanwhile goes in the next transaction, which starts when this one is committed. A rebalance
 * and the close wait for the transaction in flight before they commit or let go.
 *
 * <p>Rebalances: a revoked partition's unstarted requests are dropped (its next owner serves them),
 * its requests in flight get up to {@code revokeTimeout} to finish and are committed before the
 * partition is let go; whatever still runs then is abandoned. A newly assigned partition stays
 * paused until the view of answered requests has read past the end of {@code tiergate.responses}
 * (the previous owner's last transaction included), so nothing answered is served again.
 *
 * <p>A failure to commit that cannot be retried is fatal: the worker stops without committing past
 * the request, leaves the group, and {@link #failure()} says why.
 */
public final class DispatcherWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DispatcherWorker.class);
  private static final Duration COMMIT_RETRY_BACKOFF = Duration.ofMillis(500);

  private final WorkerSettings settings;
  private final Consumer<String, byte[]> consumer;
  private final TransactionalOutcomes outcomes;
  private final RoutedRequestHandler handler;
  private final Deserializer<RoutedRequest> deserializer;
  private final ProducedResponses produced;
  private final ResponsesCatchUp catchUp;

  // Poll-thread state.
  private final OffsetTracker offsets = new OffsetTracker();
  private final RecentIds recent = new RecentIds();
  private final Deque<Work> backlog = new ArrayDeque<>();
  private final Deque<Work> batchBacklog = new ArrayDeque<>();
  private final Map<Work, Disposable> running = new HashMap<>();
  /** Finished requests (and dead letters) whose outcome awaits the next transaction. */
  private final List<Finished> finished = new ArrayList<>();
  /** Newly assigned partitions kept paused until the answered-requests view caught up. */
  private final List<Gate> gates = new ArrayList<>();
  private long nextWorkId;
  private long nextCommitAttempt;
  private boolean commitBroken;
  /** The transaction being committed off the poll thread; null when none is. */
  private Transaction committing;
  private final ExecutorService committer = Executors.newSingleThreadExecutor(
      DaemonThreads.named("tiergate-dispatcher-commit"));
  // Written by the poll thread only; volatile so metrics can read them.
  private volatile int inFlight;
  private volatile int batchInFlight;

  private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile Throwable failure;

  /**
   * @param outcomes writes finished requests transactionally; the handler must stage its responses
   *     and usage in {@code outcomes.outbox()} (a {@link ResponsePublisher#staging} publisher)
   * @param answered the requests already answered, to skip when redelivered
   */
  DispatcherWorker(
      final WorkerSettings settings,
      final Consumer<String, byte[]> consumer,
      final TransactionalOutcomes outcomes,
      final RoutedRequestHandler handler,
      final SerdeFactory serdes,
      final AnsweredView answered) {
    this.produced = answered.produced();
    this.settings = Objects.requireNonNull(settings, "settings");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.catchUp = answered.catchUp();
    this.deserializer = Topics.ROUTED.valueSerde(Objects.requireNonNull(serdes, "serdes")).deserializer();
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
   * and closes the consumer. Idempotent; the producers belong to the caller.
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
      if (!initTransactions()) {
        return;
      }
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
      committer.shutdown();
      closeConsumer();
      terminated.countDown();
    }
  }

  /** Until the transactional id is registered (the broker may not be up yet) or the worker stops. */
  private boolean initTransactions() {
    while (!stopping) {
      try {
        outcomes.init();
        return true;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        log.warn("cannot register the dispatcher's transactional id yet, retrying: {}", e.getMessage());
      }
    }
    return false;
  }

  private void loopOnce() {
    applyCompletions();
    startBacklog();
    commit();
    openGates();
    pauseOrResume();
    final ConsumerRecords<String, byte[]> records = poll();
    final Set<TopicPartition> rewound = new HashSet<>();
    records.forEach(record -> accept(record, rewound));
    if (records.isEmpty() && !settings.idlePause().isZero()) {
      awaitCompletion(settings.idlePause());
    }
  }

  /**
   * Polls; a request finishing meanwhile wakes the poll, so its outcome is committed at once rather
   * than after the poll timeout.
   */
  private ConsumerRecords<String, byte[]> poll() {
    polling.set(true);
    try {
      final boolean pending = !completions.isEmpty()
          || (committing == null ? !finished.isEmpty() && !commitBackingOff() : committing.done().isDone());
      return consumer.poll(pending ? Duration.ZERO : settings.pollTimeout());
    } catch (WakeupException e) {
      return ConsumerRecords.empty();
    } finally {
      polling.set(false);
    }
  }

  private void completed(final Completion completion) {
    completions.add(completion);
    wakePoll();
  }

  /** A poll blocked now returns at once; the loop then applies what a thread other than it did. */
  private void wakePoll() {
    if (polling.get()) {
      consumer.wakeup();
    }
  }

  private void accept(final ConsumerRecord<String, byte[]> record, final Set<TopicPartition> rewound) {
    final TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    if (rewound.contains(partition)) {
      return;
    }
    if (isGated(partition)) {
      // Fetched before the pause took hold: read it again once the partition is served.
      consumer.seek(partition, record.offset());
      rewound.add(partition);
      return;
    }
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
    if (!recent.add(correlationId, partition)) {
      log.info("skipping duplicate request {} at {}/{}", correlationId, partition, record.offset());
      offsets.completed(partition, record.offset());
      return;
    }
    final Work work = new Work(
        nextWorkId++, new Position(partition, record.offset()), routed,
        KafkaTraceHeaders.extract(record.headers()));
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

  /** The dead letter goes in the next transaction, with the offset that moves past it. */
  private void deadLetter(
      final TopicPartition partition, final ConsumerRecord<String, byte[]> record, final String reason) {
    log.warn("dead-lettering {}/{}: {}", partition, record.offset(), reason);
    finished.add(
        new Finished(
            new Position(partition, record.offset()),
            Optional.empty(),
            List.of(ResponsePublisher.deadLetterRecord(record, reason))));
    offsets.completed(partition, record.offset());
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
    outcomes.outbox().open(work.correlationId());
    final Disposable subscription =
        Mono.defer(() -> handler.handle(work.routed()))
            .contextWrite(context -> context.put(DispatchTrace.PARENT, work.trace()))
            .subscribe(
                ignored -> {},
                error -> completed(new Completion(work, error)),
                () -> completed(new Completion(work, null)));
    running.put(work, subscription);
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
    final Work work = completion.work();
    if (running.remove(work) == null) {
      log.debug("ignoring the end of abandoned request {}", work.position());
      return;
    }
    release(work);
    if (completion.error() != null) {
      outcomes.outbox().discard(work.correlationId());
      log.error("could not publish the outcome of {}; stopping", work.position(), completion.error());
      failure = completion.error();
      return;
    }
    finished.add(
        new Finished(work.position(), Optional.of(work.correlationId()), outcomes.outbox().take(work.correlationId())));
    offsets.completed(work.position().partition(), work.position().offset());
  }

  private void release(final Work work) {
    inFlight--;
    if (work.batch()) {
      batchInFlight--;
    }
  }

  /** Each topic is paused on its own backlog: a full batch lane never holds back interactive work. */
  private void pauseOrResume() {
    // Outcomes waiting behind a slow commit (a coordinator failing over) hold both lanes, so what
    // this worker keeps in memory stays bounded.
    final boolean commitBehind = finished.size() >= settings.maxInFlight() + settings.maxBatchInFlight();
    final boolean interactiveFull =
        commitBehind || inFlight - batchInFlight + backlog.size() >= settings.maxInFlight();
    final boolean batchFull = commitBehind || batchBacklog.size() >= settings.maxBatchInFlight();
    pauseOrResume(Topics.ROUTED.name(), interactiveFull);
    pauseOrResume(Topics.ROUTED_BATCH.name(), batchFull);
  }

  private void pauseOrResume(final String topic, final boolean full) {
    final Set<TopicPartition> paused = consumer.paused();
    final Set<TopicPartition> pause = new HashSet<>();
    final Set<TopicPartition> resume = new HashSet<>();
    for (final TopicPartition partition : consumer.assignment()) {
      if (!partition.topic().equals(topic)) {
        continue;
      }
      final boolean hold = full || isGated(partition);
      if (hold && !paused.contains(partition)) {
        pause.add(partition);
      } else if (!hold && paused.contains(partition)) {
        resume.add(partition);
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private boolean isGated(final TopicPartition partition) {
    for (final Gate gate : gates) {
      if (gate.partitions().contains(partition)) {
        return true;
      }
    }
    return false;
  }

  /** Serves newly assigned partitions once the answered-requests view has caught up. */
  private void openGates() {
    if (gates.isEmpty()) {
      return;
    }
    final long now = System.nanoTime();
    final List<Gate> open = new ArrayList<>();
    for (int i = 0; i < gates.size(); i++) {
      Gate gate = gates.get(i);
      if (gate.end() == null) {
        gate = gate.withEnd(responsesEnd());
        gates.set(i, gate);
      }
      final boolean caughtUp = gate.end() != null && catchUp.reached(gate.end());
      final boolean expired = now - gate.since() > settings.closeTimeout().toNanos();
      if (caughtUp || expired) {
        open.add(gate);
        if (caughtUp) {
          log.info("serving {}: answered requests read in {} ms",
              gate.partitions(), Duration.ofNanos(now - gate.since()).toMillis());
        } else {
          log.warn("serving {} although the answered requests were not read within {}; some may be served again",
              gate.partitions(), settings.closeTimeout());
        }
      }
    }
    gates.removeAll(open);
  }

  private Map<TopicPartition, Long> responsesEnd() {
    try {
      return catchUp.end();
    } catch (KafkaException e) {
      log.warn("cannot read where {} ends yet: {}", Topics.RESPONSES.name(), e.toString());
      return null;
    }
  }

  /**
   * Starts a transaction with what finished and the offsets it lets through, unless one is still
   * being committed (what finished meanwhile waits for the next).
   */
  private void commit() {
    settleCommit(false);
    final Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
    if (committing != null || (finished.isEmpty() && ready.isEmpty()) || commitBackingOff() || commitBroken) {
      return;
    }
    final List<Finished> carried = List.copyOf(finished);
    finished.clear();
    final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    carried.forEach(outcome -> records.addAll(outcome.records()));
    // The consumer is the poll thread's; the group metadata is read here, not on the committer.
    final ConsumerGroupMetadata group = consumer.groupMetadata();
    final CompletableFuture<Void> done =
        CompletableFuture.runAsync(() -> outcomes.commit(records, ready, group), committer);
    committing = new Transaction(carried, ready, done);
    done.whenComplete((ignored, error) -> wakePoll());
  }

  /** Commits everything finished so far and returns once it is committed (or failed). */
  private void commitNow() {
    settleCommit(true);
    nextCommitAttempt = 0;
    commit();
    settleCommit(true);
  }

  /**
   * Takes the result of the transaction in flight once it is done (or, with {@code wait}, once it
   * will be): committed, its offsets and answers count; aborted, its outcomes go in the next one.
   */
  private void settleCommit(final boolean wait) {
    final Transaction transaction = committing;
    if (transaction == null || (!wait && !transaction.done().isDone())) {
      return;
    }
    committing = null;
    try {
      transaction.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof TransactionalOutcomes.RetriableCommitException retriable) {
        log.warn("dispatcher transaction failed; retrying in {}: {}", COMMIT_RETRY_BACKOFF, retriable.toString());
        nextCommitAttempt = System.nanoTime() + COMMIT_RETRY_BACKOFF.toNanos();
        finished.addAll(0, transaction.outcomes());
      } else {
        log.error("dispatcher transactions cannot go on; stopping", e.getCause());
        commitBroken = true;
        failure = e.getCause();
      }
      return;
    }
    offsets.markCommitted(transaction.offsets());
    for (final Finished outcome : transaction.outcomes()) {
      outcome.correlationId().ifPresent(id -> {
        produced.add(id);
        recent.remove(id);
      });
    }
  }

  private boolean commitBackingOff() {
    return nextCommitAttempt != 0 && System.nanoTime() < nextCommitAttempt;
  }

  /** Lets in-flight work finish (up to the close timeout) and commits what completed. */
  private void drain() {
    awaitInFlight(work -> true, settings.closeTimeout());
    if (inFlight > 0) {
      log.warn("closing with {} requests still in flight; they will be redelivered", inFlight);
    }
    commitNow();
  }

  /**
   * Waits up to {@code timeout} for the in-flight requests the filter selects, committing what
   * finishes meanwhile (of any partition) as it goes.
   */
  private void awaitInFlight(final Predicate<Work> selected, final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    applyCompletions();
    while (failure == null
        && !Thread.currentThread().isInterrupted()
        && running.keySet().stream().anyMatch(selected)) {
      final long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      awaitCompletion(Duration.ofNanos(left));
      applyCompletions();
      commit();
    }
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
  private void dropUnstarted(final Collection<TopicPartition> partitions) {
    dropUnstarted(partitions, backlog);
    dropUnstarted(partitions, batchBacklog);
  }

  private void dropUnstarted(final Collection<TopicPartition> partitions, final Deque<Work> queue) {
    queue.removeIf(work -> partitions.contains(work.position().partition()));
  }

  /**
   * Lets go of partitions: requests still running are cut and their outcome dropped, as is any
   * outcome not yet committed; the next owner serves them.
   */
  private void abandon(final Collection<TopicPartition> partitions) {
    final List<Work> cut = running.keySet().stream()
        .filter(work -> partitions.contains(work.position().partition()))
        .toList();
    for (final Work work : cut) {
      running.remove(work).dispose();
      outcomes.outbox().discard(work.correlationId());
      release(work);
    }
    if (!cut.isEmpty()) {
      log.warn("let go of {} with {} requests still in flight; their next owner serves them again",
          partitions, cut.size());
    }
    finished.removeIf(outcome -> partitions.contains(outcome.position().partition()));
    offsets.remove(partitions);
    recent.forget(partitions);
    gates.replaceAll(gate -> gate.without(partitions));
    gates.removeIf(gate -> gate.partitions().isEmpty());
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    /**
     * Runs on the poll thread: stop taking new work for the partitions, give their requests in
     * flight up to the revocation timeout to finish, commit, then let go.
     */
    @Override
    public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      final long startedAt = System.nanoTime();
      dropUnstarted(partitions);
      final Duration wait = stopping ? Duration.ZERO : settings.revokeTimeout();
      awaitInFlight(work -> partitions.contains(work.position().partition()), wait);
      commitNow();
      abandon(partitions);
      log.info("released {} after {} ms", partitions, Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    }

    /** The group moved on without us: nothing of these partitions may be committed any more. */
    @Override
    public void onPartitionsLost(final Collection<TopicPartition> partitions) {
      // Its offsets are refused now; an aborted transaction's outcomes come back, to be dropped.
      settleCommit(true);
      dropUnstarted(partitions);
      abandon(partitions);
    }

    @Override
    public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
      log.info("assigned {}", partitions);
      if (partitions.isEmpty()) {
        return;
      }
      consumer.pause(partitions);
      gates.add(new Gate(Set.copyOf(partitions), System.nanoTime(), null));
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
   *
   * @param id unique per worker, so a request taken again after its partition came back is a new
   *     piece of work
   * @param trace the trace context the routed record carried
   */
  private record Work(long id, Position position, RoutedRequest routed, Context trace) {
    boolean batch() {
      return Topics.ROUTED_BATCH.name().equals(position.partition().topic());
    }

    String correlationId() {
      return routed.getRequest().getCorrelationId();
    }
  }

  private record Completion(Work work, Throwable error) {}

  /** A transaction handed to the committer: what it carries, and when it is done. */
  private record Transaction(
      List<Finished> outcomes, Map<TopicPartition, OffsetAndMetadata> offsets, CompletableFuture<Void> done) {}

  /** An outcome awaiting its transaction; dead letters have no correlation id. */
  private record Finished(
      Position position, Optional<String> correlationId, List<ProducerRecord<String, byte[]>> records) {}

  /**
   * Partitions held paused since {@code since} (nanoTime) until the view reached {@code end}, which
   * is read after the assignment (null until then).
   */
  private record Gate(Set<TopicPartition> partitions, long since, Map<TopicPartition, Long> end) {
    Gate withEnd(final Map<TopicPartition, Long> newEnd) {
      return new Gate(partitions, since, newEnd);
    }

    Gate without(final Collection<TopicPartition> gone) {
      final Set<TopicPartition> left = new HashSet<>(partitions);
      left.removeAll(gone);
      return new Gate(Set.copyOf(left), since, end);
    }
  }
}
