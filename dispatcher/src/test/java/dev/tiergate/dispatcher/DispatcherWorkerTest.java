package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.TestRequests.routed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.FakeOpenAi.Reply;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The poll loop against MockConsumer/MockProducer. */
class DispatcherWorkerTest {

  private static final TopicPartition P0 = new TopicPartition(Topics.ROUTED.name(), 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.ROUTED.name(), 1);
  private static final TopicPartition B0 = new TopicPartition(Topics.ROUTED_BATCH.name(), 0);

  private final SerdeFactory serdes = SerdeFactory.schemaless();
  private final KeptOpenConsumer consumer = new KeptOpenConsumer();
  /** The transactional producer; a test may swap in its own before starting the worker. */
  private MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final MockProducer<String, byte[]> chunkProducer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final Outbox outbox = new Outbox();
  private final Queue<String> handled = new ConcurrentLinkedQueue<>();
  private final Map<String, Sinks.Empty<Void>> gates = new ConcurrentHashMap<>();
  private DispatcherWorker worker;
  private FakeOpenAi server;
  private ProviderClient client;

  @AfterEach
  void tearDown() {
    if (worker != null) {
      worker.close();
    }
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Records close() but stays readable, so a test can check what was committed before it. */
  private static final class KeptOpenConsumer extends MockConsumer<String, byte[]> {
    private volatile boolean closedByWorker;

    KeptOpenConsumer() {
      super("earliest");
    }

    @Override
    public void close() {
      closedByWorker = true;
    }

    @Override
    public synchronized void close(final Duration timeout) {
      closedByWorker = true;
    }
  }

  /** Handles a request by waiting for the test to open its gate. */
  private Mono<Void> gated(final RoutedRequest routed) {
    final String id = routed.getRequest().getCorrelationId();
    handled.add(id);
    return gate(id).asMono();
  }

  private Sinks.Empty<Void> gate(final String id) {
    return gates.computeIfAbsent(id, key -> Sinks.empty());
  }

  private void open(final String id) {
    gate(id).tryEmitEmpty();
  }

  private void startWorker(final int maxInFlight, final RoutedRequestHandler handler) {
    startWorker(maxInFlight, maxInFlight, handler);
  }

  private void startWorker(
      final int maxInFlight, final int maxBatchInFlight, final RoutedRequestHandler handler) {
    startWorker(settings(maxInFlight, maxBatchInFlight, Duration.ofSeconds(5)), handler, ResponsesCatchUp.NONE);
  }

  private static WorkerSettings settings(
      final int maxInFlight, final int maxBatchInFlight, final Duration revokeTimeout) {
    return new WorkerSettings(maxInFlight, Duration.ofMillis(10), Duration.ofMillis(5), Duration.ofSeconds(5), 1000,
        maxBatchInFlight, revokeTimeout);
  }

  private void startWorker(
      final WorkerSettings settings, final RoutedRequestHandler handler, final ResponsesCatchUp catchUp) {
    worker =
        new DispatcherWorker(
            settings,
            consumer,
            new TransactionalOutcomes(producer, outbox, DispatcherFault.NONE),
            handler,
            serdes,
            new AnsweredView(new ProducedResponses(1000), catchUp));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, B0, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P1, B0)));
    worker.start();
    await().until(() -> !consumer.assignment().isEmpty());
  }

  /** A publisher that stages responses and usage for the worker's transactions. */
  private ResponsePublisher stagingPublisher() {
    return ResponsePublisher.staging(chunkProducer, serdes, outbox);
  }

  private void add(final TopicPartition partition, final long offset, final byte[] value) {
    consumer.addRecord(new ConsumerRecord<>(partition.topic(), partition.partition(), offset, "k" + offset, value));
  }

  private void add(final TopicPartition partition, final long offset, final String correlationId) {
    add(partition, offset, encode(routed(correlationId, "openai/gpt-5-mini")));
  }

  private byte[] encode(final RoutedRequest routed) {
    return Topics.ROUTED.valueSerde(serdes).serializer().serialize(Topics.ROUTED.name(), routed);
  }

  /** The last offset of the partition committed in a transaction, or null. */
  private Long committed(final TopicPartition partition) {
    Long last = null;
    for (final Map<String, Map<TopicPartition, OffsetAndMetadata>> transaction : producer.consumerGroupOffsetsHistory()) {
      for (final Map<TopicPartition, OffsetAndMetadata> offsets : transaction.values()) {
        if (offsets.containsKey(partition)) {
          last = offsets.get(partition).offset();
        }
      }
    }
    return last;
  }

  @Test
  void commitsTheResponseTheUsageAndTheOffsetInOneTransaction() {
    server = new FakeOpenAi().always("gpt-5-mini", Reply.ok("hi", 10, 5));
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(15), 4));
    final RequestDispatcher dispatcher =
        new RequestDispatcher(
            new ProviderCalls(
                new Providers(
                    List.of(new ProviderEndpoint("openai", URI.create(server.baseUrl()), Optional.empty(), ProviderFormat.OPENAI)),
                    new ObjectMapper()),
                client,
                CallPolicy.of(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO))),
            stagingPublisher(),
            Clock.systemUTC());
    startWorker(4, dispatcher);

    add(P0, 0, "req_a");
    await().until(() -> Long.valueOf(1).equals(committed(P0)));

    assertThat(producer.history()).extracting(ProducerRecord::topic)
        .containsExactly(Topics.RESPONSES.name(), Topics.USAGE.name());
    assertThat(producer.history()).extracting(ProducerRecord::key).containsOnly("req_a");
    assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
    assertThat(chunkProducer.history()).isEmpty();
  }

  @Test
  void anAbortedTransactionIsRetriedWithTheSameOutcome() {
    producer.commitTransactionException = new KafkaException("coordinator moved (simulated)");
    startWorker(4, routed -> Mono.fromFuture(stagingPublisher().response(response(routed))));

    add(P0, 0, "req_a");
    await().until(producer::transactionAborted);
    assertThat(committed(P0)).isNull();
    producer.commitTransactionException = null;

    await().until(() -> Long.valueOf(1).equals(committed(P0)));
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("req_a");
  }

  /** Commits wait until {@code mayEnd} opens; {@code started} opens at the first one. */
  private void holdCommits(final CountDownLatch started, final CountDownLatch mayEnd) {
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
      @Override
      public void commitTransaction() {
        started.countDown();
        try {
          mayEnd.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.commitTransaction();
      }
    };
  }

  /** Answers every request at once with a staged response. */
  private Mono<Void> answered(final RoutedRequest routed) {
    handled.add(routed.getRequest().getCorrelationId());
    return Mono.fromFuture(stagingPublisher().response(response(routed))).then();
  }

  @Test
  void takesAndStartsRequestsWhileATransactionIsBeingCommitted() throws InterruptedException {
    final CountDownLatch commitStarted = new CountDownLatch(1);
    final CountDownLatch commitMayEnd = new CountDownLatch(1);
    holdCommits(commitStarted, commitMayEnd);
    startWorker(4, this::answered);

    add(P0, 0, "req_a");
    assertThat(commitStarted.await(10, TimeUnit.SECONDS)).isTrue();
    add(P0, 1, "req_b");

    // req_a's commit is held: req_b is still taken and its call made meanwhile.
    await().until(() -> handled.contains("req_b"));
    commitMayEnd.countDown();
    await().until(() -> Long.valueOf(2).equals(committed(P0)));
    assertThat(producer.history()).extracting(ProducerRecord::key)
        .containsExactly("req_a", "req_b");
  }

  @Test
  void holdsItsPartitionsWhileOutcomesPileUpBehindASlowCommit() throws InterruptedException {
    final CountDownLatch commitStarted = new CountDownLatch(1);
    final CountDownLatch commitMayEnd = new CountDownLatch(1);
    holdCommits(commitStarted, commitMayEnd);
    startWorker(1, 1, this::answered);

    add(P0, 0, "req_a");
    assertThat(commitStarted.await(10, TimeUnit.SECONDS)).isTrue();
    add(P0, 1, "req_b");
    add(P0, 2, "req_c");

    // Two outcomes wait behind req_a's commit: as many as both lanes may hold, so both pause.
    await().until(() -> handled.contains("req_c") && consumer.paused().containsAll(List.of(P0, P1, B0)));
    commitMayEnd.countDown();
    await().until(() -> Long.valueOf(3).equals(committed(P0)));
    await().until(() -> !consumer.paused().contains(P0));
  }

  private static ChatResponse response(final RoutedRequest routed) {
    return ChatResponse.newBuilder()
        .setCorrelationId(routed.getRequest().getCorrelationId())
        .setCreatedAt(Instant.parse("2025-06-01T10:00:00Z"))
        .build();
  }

  @Test
  void neverCommitsPastAnEarlierUnfinishedRecord() {
    startWorker(8, this::gated);
    add(P0, 0, "req_a");
    add(P0, 1, "req_b");
    add(P1, 0, "req_c");
    await().until(() -> handled.size() == 3);

    open("req_b");
    open("req_c");
    await().until(() -> Long.valueOf(1).equals(committed(P1)));
    assertThat(committed(P0)).isNull();

    open("req_a");
    await().until(() -> Long.valueOf(2).equals(committed(P0)));
  }

  @Test
  void deadLettersAnUndecodableRecordAndServesTheNext() {
    startWorker(8, routed -> {
      handled.add(routed.getRequest().getCorrelationId());
      return Mono.empty();
    });
    final byte[] garbage = {1, 2, 3, 4};
    add(P0, 0, garbage);
    add(P0, 1, "req_after");

    await().until(() -> Long.valueOf(2).equals(committed(P0)));
    assertThat(handled).containsExactly("req_after");
    final ProducerRecord<String, byte[]> dead = new Published(producer, serdes).records(Topics.ROUTED_DLQ).get(0);
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(dead.key()).isEqualTo("k0");
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_SOURCE)).contains(Topics.ROUTED.name() + "-0@0");
    assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_REASON)).hasValueSatisfying(
        reason -> assertThat(reason).startsWith("undecodable RoutedRequest"));
  }

  @Test
  void servesARedeliveredRequestOnce() {
    startWorker(8, routed -> {
      handled.add(routed.getRequest().getCorrelationId());
      return Mono.empty();
    });
    add(P0, 0, "req_dup");
    add(P0, 1, "req_dup");
    add(P0, 2, "req_other");

    await().until(() -> Long.valueOf(3).equals(committed(P0)));
    assertThat(handled).containsExactly("req_dup", "req_other");
  }

  @Test
  void pausesItsPartitionsWhileAtTheInFlightBound() {
    startWorker(1, this::gated);
    add(P0, 0, "req_a");
    add(P1, 0, "req_b");

    await().until(() -> consumer.paused().containsAll(Set.of(P0, P1)));
    assertThat(handled).hasSize(1);

    open(handled.peek());
    await().until(() -> handled.size() == 2);
    gates.keySet().forEach(this::open);
    await().until(() -> consumer.paused().isEmpty());
    await().until(() -> Long.valueOf(1).equals(committed(P0)) && Long.valueOf(1).equals(committed(P1)));
  }

  @Test
  void pausesOnlyTheBatchTopicWhileItsBacklogIsFullAndKeepsServingInteractiveRequests() {
    startWorker(4, 1, this::gated);
    for (int i = 0; i < 6; i++) {
      add(B0, i, "req_batch" + i);
    }
    await().until(() -> consumer.paused().contains(B0));

    add(P0, 0, "req_interactive");

    await().until(() -> handled.contains("req_interactive"));
    assertThat(consumer.paused()).contains(B0).doesNotContain(P0, P1);
    assertThat(handled).filteredOn(id -> id.startsWith("req_batch")).containsExactly("req_batch0");
    open("req_interactive");
    await().until(() -> Long.valueOf(1).equals(committed(P0)));
    assertThat(committed(B0)).isNull();

    for (int i = 0; i < 6; i++) {
      final String id = "req_batch" + i;
      await().until(() -> handled.contains(id));
      open(id);
    }
    await().until(() -> Long.valueOf(6).equals(committed(B0)));
    assertThat(consumer.paused()).isEmpty();
  }

  @Test
  void deadLettersAnUndecodableBatchItemToTheBatchDeadLetterTopic() {
    startWorker(8, routed -> Mono.empty());
    add(B0, 0, new byte[] {9, 9, 9});

    await().until(() -> Long.valueOf(1).equals(committed(B0)));
    assertThat(new Published(producer, serdes).records(Topics.ROUTED_BATCH_DLQ)).hasSize(1);
    assertThat(new Published(producer, serdes).records(Topics.ROUTED_DLQ)).isEmpty();
  }

  @Test
  void stopsWithoutCommittingWhenPublishingFails() throws InterruptedException {
    startWorker(8, routed -> Mono.error(new KafkaException("broker gone")));
    add(P0, 0, "req_a");

    assertThat(worker.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(worker.failure()).hasValueSatisfying(f -> assertThat(f).hasMessage("broker gone"));
    assertThat(committed(P0)).isNull();
    assertThat(consumer.closedByWorker).isTrue();
  }

  @Test
  void closeWaitsForInFlightWorkCommitsAndIsIdempotent() {
    startWorker(8, routed -> {
      handled.add(routed.getRequest().getCorrelationId());
      return Mono.delay(Duration.ofMillis(50)).then();
    });
    add(P0, 0, "req_a");
    await().until(() -> handled.size() == 1);

    worker.close();
    worker.close();

    assertThat(worker.isRunning()).isFalse();
    assertThat(consumer.closedByWorker).isTrue();
    assertThat(committed(P0)).isEqualTo(1L);
  }

  @Test
  void aRevokedPartitionsCallIsFinishedAndCommittedBeforeThePartitionIsReleased() {
    startWorker(settings(8, 8, Duration.ofSeconds(10)), this::gated, ResponsesCatchUp.NONE);
    add(P0, 0, "req_a");
    await().until(() -> handled.contains("req_a"));

    final AtomicBoolean released = new AtomicBoolean();
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(P1, B0));
      released.set(true);
    });
    await().during(Duration.ofMillis(200)).until(() -> !released.get());
    open("req_a");

    await().until(released::get);
    assertThat(committed(P0)).isEqualTo(1L);
    assertThat(handled).containsExactly("req_a");
  }

  @Test
  void aCallStillRunningAfterTheRevocationWaitIsCutAndServedAgainWhenThePartitionComesBack() {
    final AtomicBoolean cut = new AtomicBoolean();
    startWorker(settings(8, 8, Duration.ofMillis(100)), routed -> {
      final String id = routed.getRequest().getCorrelationId();
      handled.add(id);
      return handled.stream().filter(id::equals).count() == 1
          ? gate(id).asMono().doOnCancel(() -> cut.set(true))
          : Mono.empty();
    }, ResponsesCatchUp.NONE);
    add(P0, 0, "req_a");
    await().until(() -> handled.contains("req_a"));

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P1, B0)));
    await().until(cut::get);
    assertThat(committed(P0)).isNull();

    // The partition comes back with the request still unanswered: it must be served, not skipped.
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(P0, P1, B0));
      consumer.seek(P0, 0);
    });
    await().until(() -> consumer.assignment().contains(P0));
    add(P0, 0, "req_a");
    await().until(() -> Long.valueOf(1).equals(committed(P0)));
    assertThat(handled).containsExactly("req_a", "req_a");
  }

  @Test
  void aNewlyAssignedPartitionIsServedOnlyOnceTheAnsweredRequestsAreRead() {
    final AtomicBoolean caughtUp = new AtomicBoolean();
    startWorker(settings(8, 8, Duration.ofSeconds(5)), routed -> {
      handled.add(routed.getRequest().getCorrelationId());
      return Mono.empty();
    }, new ResponsesCatchUp() {
      @Override
      public Map<TopicPartition, Long> end() {
        return Map.of(new TopicPartition(Topics.RESPONSES.name(), 0), 42L);
      }

      @Override
      public boolean reached(final Map<TopicPartition, Long> end) {
        return caughtUp.get() && end.get(new TopicPartition(Topics.RESPONSES.name(), 0)) == 42L;
      }
    });
    add(P0, 0, "req_a");

    await().during(Duration.ofMillis(300)).until(handled::isEmpty);
    assertThat(consumer.paused()).contains(P0, P1, B0);
    caughtUp.set(true);

    await().until(() -> handled.contains("req_a"));
    await().until(() -> Long.valueOf(1).equals(committed(P0)));
  }
}
