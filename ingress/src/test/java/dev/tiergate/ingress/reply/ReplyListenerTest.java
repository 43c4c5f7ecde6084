package dev.tiergate.ingress.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.runtime.PacedMockConsumer;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class ReplyListenerTest {

  @Test
  void assignsEveryPartitionAtItsEndOffset() {
    final PacedMockConsumer<ChatResponse> consumer = Fixtures.responseConsumer();
    final Map<TopicPartition, Long> ends = new HashMap<>();
    for (int p = 0; p < Topics.RESPONSES.partitions(); p++) {
      ends.put(new TopicPartition(Topics.RESPONSES.name(), p), 40L + p);
    }
    consumer.updateEndOffsets(ends);
    final ReplyListener<ChatResponse> listener =
        new ReplyListener<>(consumer, Topics.RESPONSES.name(), response -> { });

    listener.start();
    try {
      assertThat(consumer.assignment()).containsExactlyInAnyOrderElementsOf(ends.keySet());
      // MockConsumer is synchronized, so reading positions beside the polling thread is safe.
      ends.forEach((tp, end) -> assertThat(consumer.position(tp)).isEqualTo(end));
      assertThat(listener.isAlive()).isTrue();
    } finally {
      listener.close();
    }
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void deliversValuesOnItsOwnThreadAndSurvivesAFailingHandler() {
    final PacedMockConsumer<ChatResponse> consumer = Fixtures.responseConsumer();
    final List<String> seen = new CopyOnWriteArrayList<>();
    final ReplyListener<ChatResponse> listener =
        new ReplyListener<>(
            consumer,
            Topics.RESPONSES.name(),
            response -> {
              seen.add(response.getCorrelationId());
              if (response.getCorrelationId().equals("req_bad")) {
                throw new IllegalStateException("handler bug");
              }
            });
    listener.start();
    try {
      consumer.feed("req_bad", Fixtures.response("req_bad"));
      consumer.feed("req_ok", Fixtures.response("req_ok"));

      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("req_ok"));
      assertThat(listener.isAlive()).isTrue();
    } finally {
      listener.close();
    }
  }

  @Test
  void deadLettersAnUndecodableRecordWithItsReasonAndKeepsReading() {
    final PacedMockConsumer<ChatResponse> consumer = Fixtures.responseConsumer();
    final MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    final IngressMetrics metrics = new IngressMetrics();
    final List<String> seen = new CopyOnWriteArrayList<>();
    final ReplyListener<ChatResponse> listener =
        new ReplyListener<>(
            consumer, Topics.RESPONSES.name(), response -> seen.add(response.getCorrelationId()),
            Topics.RESPONSES_DLQ.name(), new DeadLetters(producer, metrics));
    final byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    final RecordHeaders headers = new RecordHeaders();
    headers.add(TiergateHeaders.CORRELATION_ID, "req_poison".getBytes(StandardCharsets.UTF_8));
    listener.start();
    try {
      consumer.setPollException(
          new RecordDeserializationException(
              RecordDeserializationException.DeserializationExceptionOrigin.VALUE,
              new TopicPartition(Topics.RESPONSES.name(), 2), 0L, 0L, TimestampType.CREATE_TIME,
              ByteBuffer.wrap("req_poison".getBytes(StandardCharsets.UTF_8)),
              ByteBuffer.wrap(garbage), headers, "Error deserializing VALUE",
              new SerializationException("Unknown magic byte!")));
      consumer.feed("req_ok", Fixtures.response("req_ok"));

      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("req_ok"));
      assertThat(listener.isAlive()).isTrue();
    } finally {
      listener.close();
    }
    assertThat(producer.history()).hasSize(1);
    final ProducerRecord<byte[], byte[]> letter = producer.history().get(0);
    assertThat(letter.topic()).isEqualTo("tiergate.responses.dlq");
    assertThat(letter.value()).isEqualTo(garbage);
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("req_poison");
    assertThat(TiergateHeaders.get(letter.headers(), TiergateHeaders.DLQ_REASON))
        .contains("undecodable value: Unknown magic byte!");
    assertThat(TiergateHeaders.get(letter.headers(), TiergateHeaders.DLQ_SOURCE))
        .contains("tiergate.responses-2@0");
    assertThat(TiergateHeaders.get(letter.headers(), TiergateHeaders.CORRELATION_ID))
        .contains("req_poison");
    assertThat(metrics.scrape())
        .contains("tiergate_ingress_dead_letters_total{service=\"ingress\",topic=\"tiergate.responses\"} 1");
  }

  @Test
  void refusesToStartOnAMissingTopic() {
    final MockConsumer<String, ChatResponse> consumer = new MockConsumer<>("latest");
    final ReplyListener<ChatResponse> listener =
        new ReplyListener<>(consumer, "tiergate.missing", response -> { });

    assertThatThrownBy(listener::start).isInstanceOf(IllegalStateException.class);
    listener.close();
    assertThat(consumer.closed()).isTrue();
  }
}
