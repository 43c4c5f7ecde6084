package dev.tiergate.ingress.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.StoredResponse;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stored responses: tenancy, deletes, conversations, and waiting for another instance's write. */
class ResponseStoreTest {

  private static final Duration TABLE_WAIT = Duration.ofSeconds(2);

  private final PacedMockConsumer<StoredResponse> consumer =
      new PacedMockConsumer<>(
          Topics.STORED_RESPONSES.name(), Topics.STORED_RESPONSES.partitions());
  private final LiveTable<StoredResponse> table =
      new LiveTable<>(consumer, Topics.STORED_RESPONSES.name());
  private final MockProducer<String, StoredResponse> producer =
      new MockProducer<>(
          true, null, new StringSerializer(),
          Topics.STORED_RESPONSES.valueSerde(SerdeFactory.schemaless()).serializer());
  private final ResponseStore store =
      new ResponseStore(table, producer, Clock.systemUTC(), TABLE_WAIT);

  @AfterEach
  void close() {
    store.close();
  }

  private void start() {
    consumer.updateBeginningOffsets(
        IntStream.range(0, Topics.STORED_RESPONSES.partitions()).boxed().collect(
            java.util.stream.Collectors.toMap(
                p -> new TopicPartition(Topics.STORED_RESPONSES.name(), p), p -> 0L)));
    store.start();
  }

  private static StoredResponse turn(
      final String id, final String tenant, final String previous, final String said) {
    return StoredResponse.newBuilder()
        .setResponseId(id)
        .setTenant(tenant)
        .setSessionId("sess_" + id)
        .setPreviousResponseId(previous)
        .setInput(List.of(message("user", said)))
        .setOutput(List.of(message("assistant", "re: " + said)))
        .setResponseJson("{\"id\":\"" + id + "\"}")
        .setCreatedAt(Fixtures.NOW)
        .build();
  }

  private static Message message(final String role, final String text) {
    return MessageParts.message(role, List.of(MessageParts.text(text)));
  }

  @Test
  void aSavedTurnIsReadableAtOnceByItsTenantOnlyAndPublishedKeyedByItsId() {
    start();
    store.save(turn("resp_a", "acme", null, "hi"));

    assertThat(store.find("acme", "resp_a").block()).isNotNull();
    final long started = System.nanoTime();
    assertThat(store.find("rival", "resp_a").blockOptional()).isEmpty();
    // Another tenant's id waits like an unknown one: its answer tells nothing about it.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(TABLE_WAIT);
    assertThat(producer.history()).singleElement().satisfies(record -> {
      assertThat(record.topic()).isEqualTo(Topics.STORED_RESPONSES.name());
      assertThat(record.key()).isEqualTo("resp_a");
      assertThat(record.value().getTenant()).isEqualTo("acme");
    });
  }

  @Test
  void findsATurnAnotherInstanceStoredWhenItArrivesWithinTheWait() {
    start();
    final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    try {
      later.schedule(() -> consumer.feed("resp_b", turn("resp_b", "acme", null, "x")),
          300, TimeUnit.MILLISECONDS);
      assertThat(store.find("acme", "resp_b").block(Duration.ofSeconds(10))).isNotNull();
    } finally {
      later.shutdownNow();
    }
  }

  @Test
  void deleteWritesATombstoneForTheOwnerOnly() {
    start();
    store.save(turn("resp_c", "acme", null, "x"));

    assertThat(store.delete("rival", "resp_c").block()).isFalse();
    assertThat(store.find("acme", "resp_c").block()).isNotNull();
    assertThat(store.delete("acme", "resp_c").block()).isTrue();

    assertThat(store.find("acme", "resp_c").blockOptional()).isEmpty();
    assertThat(producer.history()).last().satisfies(record -> {
      assertThat(record.key()).isEqualTo("resp_c");
      assertThat(record.value()).isNull();
    });
  }

  @Test
  void rebuildsAConversationAlongItsPreviousTurnsAndRefusesABrokenChain() {
    start();
    store.save(turn("resp_1", "acme", null, "one"));
    store.save(turn("resp_2", "acme", "resp_1", "two"));

    final ResponseStore.Conversation conversation = store.conversation("acme", "resp_2").block();
    assertThat(conversation.messages()).extracting(m -> m.getParts().get(0).getText())
        .containsExactly("one", "re: one", "two", "re: two");
    assertThat(conversation.sessionId()).isEqualTo("sess_resp_2");

    assertThat(store.delete("acme", "resp_1").block()).isTrue();
    assertThatThrownBy(() -> store.conversation("acme", "resp_2").block())
        .isInstanceOfSatisfying(GatewayException.class,
            error -> assertThat(error.httpStatus()).isEqualTo(404));
    assertThatThrownBy(() -> store.conversation("rival", "resp_2").block())
        .isInstanceOfSatisfying(GatewayException.class, error -> {
          assertThat(error.httpStatus()).isEqualTo(404);
          assertThat(error.param()).isEqualTo("previous_response_id");
          assertThat(error.getMessage()).isEqualTo("Previous response with id 'resp_2' not found.");
        });
  }

  @Test
  void aLocalStoreKeepsTurnsWithoutATopic() {
    final ResponseStore local = ResponseStore.local();
    local.save(turn("resp_l", "acme", null, "x"));
    assertThat(local.find("acme", "resp_l").block()).isNotNull();
    assertThat(local.find("acme", "resp_unknown").blockOptional()).isEmpty();
  }
}
