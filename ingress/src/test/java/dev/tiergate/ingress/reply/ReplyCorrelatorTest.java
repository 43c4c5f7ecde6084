package dev.tiergate.ingress.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class ReplyCorrelatorTest {

  private static final Duration LONG = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockProducer<String, ChatRequest> producer = Fixtures.producer();
  private final PacedMockConsumer<ChatResponse> responses = Fixtures.responseConsumer();
  private final PacedMockConsumer<ChatChunk> chunks = Fixtures.chunkConsumer();
  private ReplyCorrelator correlator = new ReplyCorrelator(producer, LONG, 100);
  private ReplyListener<ChatResponse> responseListener;
  private ReplyListener<ChatChunk> chunkListener;

  @AfterEach
  void tearDown() {
    correlator.close();
    if (responseListener != null) {
      responseListener.close();
    }
    if (chunkListener != null) {
      chunkListener.close();
    }
  }

  private void listen() {
    responseListener =
        new ReplyListener<>(responses, Topics.RESPONSES.name(), correlator::onResponse);
    chunkListener =
        new ReplyListener<>(chunks, Topics.RESPONSE_CHUNKS.name(), correlator::onChunk);
    responseListener.start();
    chunkListener.start();
  }

  @Test
  void replyFromResponsesTopicCompletesTheCallAndRemovesTheEntry() throws Exception {
    listen();
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_1")).toFuture();
    await().atMost(WAIT).until(() -> producer.history().size() == 1);
    assertThat(correlator.pendingCount()).isEqualTo(1);

    responses.feed("req_1", Fixtures.response("req_1"));

    assertThat(reply.get(10, TimeUnit.SECONDS).getContent()).isEqualTo("Hello there");
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 0);
  }

  @Test
  void producesKeyedBySessionWithCorrelationHeader() {
    final Disposable call = correlator.call(Fixtures.request("req_2")).subscribe();
    await().atMost(WAIT).until(() -> producer.history().size() == 1);

    final ProducerRecord<String, ChatRequest> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(Topics.REQUESTS.name());
    assertThat(record.key()).isEqualTo("sess_test");
    assertThat(TiergateHeaders.get(record.headers(), TiergateHeaders.CORRELATION_ID))
        .contains("req_2");
    call.dispose();
  }

  @Test
  void registersThePendingReplyBeforeProducing() {
    final AtomicInteger pendingAtSend = new AtomicInteger(-1);
    final MockProducer<String, ChatRequest> probing =
        new MockProducer<>(
            true, null, new StringSerializer(),
            Topics.REQUESTS.valueSerde(SerdeFactory.schemaless()).serializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              final ProducerRecord<String, ChatRequest> record, final Callback callback) {
            pendingAtSend.set(correlator.pendingCount());
            return super.send(record, callback);
          }
        };
    correlator.close();
    correlator = new ReplyCorrelator(probing, LONG, 10);

    final Disposable call = correlator.call(Fixtures.request("req_3")).subscribe();
    await().atMost(WAIT).until(() -> probing.history().size() == 1);

    assertThat(pendingAtSend.get()).isEqualTo(1);
    call.dispose();
  }

  @Test
  void timesOutWith504AndRemovesTheEntry() {
    correlator.close();
    correlator = new ReplyCorrelator(producer, Duration.ofMillis(50), 10);

    assertThatThrownBy(() -> correlator.call(Fixtures.request("req_4")).block(WAIT))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.httpStatus()).isEqualTo(504));
    assertThat(correlator.pendingCount()).isZero();
  }

  @Test
  void refusesWith503WhenThePendingMapIsFull() {
    correlator.close();
    correlator = new ReplyCorrelator(producer, LONG, 1);
    final Disposable first = correlator.call(Fixtures.request("req_5")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    assertThatThrownBy(() -> correlator.call(Fixtures.request("req_6")).block(WAIT))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(503);
              assertThat(e.code()).isEqualTo("overloaded");
            });
    assertThat(producer.history()).hasSize(1);
    first.dispose();
  }

  @Test
  void clientDisconnectRemovesTheEntryAndFreesItsSlot() {
    correlator.close();
    correlator = new ReplyCorrelator(producer, LONG, 1);
    final Disposable call = correlator.call(Fixtures.request("req_7")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    call.dispose();

    assertThat(correlator.pendingCount()).isZero();
    correlator.onResponse(Fixtures.response("req_7"));
    final Disposable next = correlator.call(Fixtures.request("req_8")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);
    next.dispose();
  }

  @Test
  void ignoresResponsesForUnknownIds() {
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_9")).toFuture();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.onResponse(Fixtures.response("req_elsewhere"));

    assertThat(reply).isNotDone();
    assertThat(correlator.pendingCount()).isEqualTo(1);
  }

  @Test
  void failedPublishAnswers503AndRemovesTheEntry() {
    final MockProducer<String, ChatRequest> failing =
        new MockProducer<>(
            false, null, new StringSerializer(),
            Topics.REQUESTS.valueSerde(SerdeFactory.schemaless()).serializer());
    correlator.close();
    correlator = new ReplyCorrelator(failing, LONG, 10);
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_10")).toFuture();
    await().atMost(WAIT).until(() -> failing.history().size() == 1);

    failing.errorNext(new org.apache.kafka.common.errors.TimeoutException("no broker"));

    assertThat(reply).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    assertThat(correlator.pendingCount()).isZero();
  }

  @Test
  void requestTooLargeForTheBusAnswers413AndRemovesTheEntry() {
    final MockProducer<String, ChatRequest> refusing =
        new MockProducer<>(
            false, null, new StringSerializer(),
            Topics.REQUESTS.valueSerde(SerdeFactory.schemaless()).serializer());
    correlator.close();
    correlator = new ReplyCorrelator(refusing, LONG, 10);
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_big")).toFuture();
    await().atMost(WAIT).until(() -> refusing.history().size() == 1);

    refusing.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));

    assertThat(reply).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(413);
          assertThat(e.type()).isEqualTo("invalid_request_error");
        });
    assertThat(correlator.pendingCount()).isZero();
  }

  @Test
  void closeFailsEverythingPendingWith503() {
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_11")).toFuture();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.close();

    assertThat(reply).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo("shutting_down"));
    assertThat(correlator.pendingCount()).isZero();
  }

  @Test
  void streamRelaysChunksUntilTheLastOne() {
    listen();
    final CompletableFuture<List<ReplyEvent>> events =
        correlator.stream(Fixtures.request("req_12")).collectList().toFuture();
    await().atMost(WAIT).until(() -> producer.history().size() == 1);

    chunks.feed("req_12", Fixtures.chunk("req_12", 0, "Hel"));
    chunks.feed("req_12", Fixtures.chunk("req_12", 1, "lo"));
    chunks.feed("req_12", Fixtures.lastChunk("req_12", 2));

    assertThat(events).succeedsWithin(WAIT).asList().hasSize(3);
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 0);
  }

  @Test
  void streamEndsAtTheFinalResponseWhenNoChunkCameFirst() {
    final CompletableFuture<List<ReplyEvent>> events =
        correlator.stream(Fixtures.request("req_13")).collectList().toFuture();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.onResponse(Fixtures.response("req_13"));

    assertThat(events).succeedsWithin(WAIT).asList().singleElement()
        .isInstanceOf(ReplyEvent.Final.class);
    assertThat(correlator.pendingCount()).isZero();
  }

  @Test
  void plainCallIgnoresChunks() {
    final CompletableFuture<ChatResponse> reply = correlator.call(Fixtures.request("req_14")).toFuture();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.onChunk(Fixtures.lastChunk("req_14", 0));

    assertThat(reply).isNotDone();
    correlator.onResponse(Fixtures.response("req_14"));
    assertThat(reply).succeedsWithin(WAIT);
  }
}
