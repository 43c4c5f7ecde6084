package dev.tiergate.ingress.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** A request given up on is cancelled on tiergate.cancels; its 504 fires at its deadline. */
class RequestCancelTest {

  private static final Duration LONG = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockProducer<String, CancelEvent> cancels =
      new MockProducer<>(true, null, new StringSerializer(), (topic, event) -> new byte[0]);
  private final CancelPublisher publisher =
      new CancelPublisher(cancels, Clock.systemUTC(), new IngressMetrics());
  private final ReplyCorrelator correlator =
      new ReplyCorrelator(Fixtures.producer(), LONG, 10, new IngressMetrics(), publisher);

  @AfterEach
  void tearDown() {
    correlator.close();
    publisher.close(); // its sending thread ends with the test
  }

  @Test
  void clientDisconnectPublishesAClientDisconnectedCancelKeyedByCorrelationId() {
    final Disposable call = correlator.call(Fixtures.request("req_gone")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    call.dispose();

    await().atMost(WAIT).until(() -> !cancels.history().isEmpty());
    assertThat(cancels.history()).singleElement().satisfies(record -> {
      assertThat(record.topic()).isEqualTo(Topics.CANCELS.name());
      assertThat(record.key()).isEqualTo("req_gone");
      assertThat(record.value().getReason()).isEqualTo("client_disconnected");
      assertThat(record.value().getTenant()).isEqualTo("demo");
    });
  }

  @Test
  void deadlineFires504BeforeTheReplyTimeoutAndPublishesADeadlineCancel() {
    final ChatRequest request = Fixtures.request("req_late");
    request.setDeadline(Instant.now().plusMillis(200));
    final long started = System.nanoTime();

    assertThatThrownBy(() -> correlator.call(request).block(WAIT))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.httpStatus()).isEqualTo(504));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LONG);
    await().atMost(WAIT).until(() -> !cancels.history().isEmpty());
    assertThat(cancels.history()).singleElement()
        .satisfies(record -> assertThat(record.value().getReason()).isEqualTo("deadline_exceeded"));
  }

  @Test
  void requestWhoseSendTimedOutGets503AndIsCancelledInCaseItReachedTheLog() {
    final MockProducer<String, ChatRequest> requests = Fixtures.producer(false);
    try (ReplyCorrelator refusing =
        new ReplyCorrelator(requests, LONG, 10, new IngressMetrics(), publisher)) {
      final var reply = refusing.call(Fixtures.request("req_lost_ack")).toFuture();
      await().atMost(WAIT).until(() -> requests.history().size() == 1);

      requests.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));

      assertThat(reply).failsWithin(WAIT).withThrowableThat()
          .havingCause().isInstanceOfSatisfying(GatewayException.class,
              e -> assertThat(e.httpStatus()).isEqualTo(503));
      await().atMost(WAIT).until(() -> !cancels.history().isEmpty());
      assertThat(cancels.history()).singleElement().satisfies(record -> {
        assertThat(record.key()).isEqualTo("req_lost_ack");
        assertThat(record.value().getReason()).isEqualTo(ReplyCorrelator.NOT_ACCEPTED);
      });
    }
  }

  /**
   * The cancel of a request whose send failed is published from the producer's callback; with the
   * broker down its send waits for metadata, and that wait must not hold back the next request's
   * 503. Before the cancels had a thread of their own, each one held the callbacks for 5 s.
   */
  @Test
  void aCancelWaitingForTheProducerDoesNotHoldBackTheNext503() {
    final CountDownLatch brokerBack = new CountDownLatch(1);
    final MockProducer<String, CancelEvent> waiting =
        new MockProducer<>(true, null, new StringSerializer(), (topic, event) -> new byte[0]) {
          @Override
          public Future<RecordMetadata> send(
              final ProducerRecord<String, CancelEvent> record, final Callback callback) {
            awaitQuietly(brokerBack);
            return super.send(record, callback);
          }
        };
    final MockProducer<String, ChatRequest> requests = Fixtures.producer(false);
    try (CancelPublisher slowCancels =
            new CancelPublisher(waiting, Clock.systemUTC(), new IngressMetrics());
        ReplyCorrelator refusing =
            new ReplyCorrelator(requests, LONG, 10, new IngressMetrics(), slowCancels)) {
      final var first = refusing.call(Fixtures.request("req_first")).toFuture();
      final var second = refusing.call(Fixtures.request("req_second")).toFuture();
      await().atMost(WAIT).until(() -> requests.history().size() == 2);

      requests.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
      requests.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));

      assertThat(first).failsWithin(WAIT);
      assertThat(second).failsWithin(WAIT);
      assertThat(waiting.history()).as("cancels still waiting for the producer").isEmpty();
      brokerBack.countDown();
      await().atMost(WAIT).until(() -> waiting.history().size() == 2);
    }
  }

  @Test
  void aCancelAfterCloseIsDroppedWithoutThrowing() {
    publisher.close();

    publisher.cancel(Fixtures.request("req_after_close"), CancelPublisher.CLIENT_DISCONNECTED);

    assertThat(cancels.history()).isEmpty();
  }

  private static void awaitQuietly(final CountDownLatch latch) {
    try {
      latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void answeredRequestIsNotCancelled() {
    final Disposable call = correlator.call(Fixtures.request("req_done")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.onResponse(Fixtures.response("req_done"));
    call.dispose();
    publisher.close(); // sends whatever cancel was queued

    assertThat(cancels.history()).isEmpty();
  }
}
