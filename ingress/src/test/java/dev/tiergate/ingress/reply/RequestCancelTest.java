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
import org.apache.kafka.clients.producer.MockProducer;
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
  private final ReplyCorrelator correlator =
      new ReplyCorrelator(
          Fixtures.producer(), LONG, 10, new IngressMetrics(),
          new CancelPublisher(cancels, Clock.systemUTC(), new IngressMetrics()));

  @AfterEach
  void tearDown() {
    correlator.close();
  }

  @Test
  void clientDisconnectPublishesAClientDisconnectedCancelKeyedByCorrelationId() {
    final Disposable call = correlator.call(Fixtures.request("req_gone")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    call.dispose();

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
    assertThat(cancels.history()).singleElement()
        .satisfies(record -> assertThat(record.value().getReason()).isEqualTo("deadline_exceeded"));
  }

  @Test
  void requestWhoseSendTimedOutGets503AndIsCancelledInCaseItReachedTheLog() {
    final MockProducer<String, ChatRequest> requests = Fixtures.producer(false);
    try (ReplyCorrelator refusing = new ReplyCorrelator(
        requests, LONG, 10, new IngressMetrics(),
        new CancelPublisher(cancels, Clock.systemUTC(), new IngressMetrics()))) {
      final var reply = refusing.call(Fixtures.request("req_lost_ack")).toFuture();
      await().atMost(WAIT).until(() -> requests.history().size() == 1);

      requests.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));

      assertThat(reply).failsWithin(WAIT).withThrowableThat()
          .havingCause().isInstanceOfSatisfying(GatewayException.class,
              e -> assertThat(e.httpStatus()).isEqualTo(503));
      assertThat(cancels.history()).singleElement().satisfies(record -> {
        assertThat(record.key()).isEqualTo("req_lost_ack");
        assertThat(record.value().getReason()).isEqualTo(ReplyCorrelator.NOT_ACCEPTED);
      });
    }
  }

  @Test
  void answeredRequestIsNotCancelled() {
    final Disposable call = correlator.call(Fixtures.request("req_done")).subscribe();
    await().atMost(WAIT).until(() -> correlator.pendingCount() == 1);

    correlator.onResponse(Fixtures.response("req_done"));
    call.dispose();

    assertThat(cancels.history()).isEmpty();
  }
}
