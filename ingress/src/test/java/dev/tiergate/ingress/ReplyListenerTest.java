package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
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
  void refusesToStartOnAMissingTopic() {
    final MockConsumer<String, ChatResponse> consumer = new MockConsumer<>("latest");
    final ReplyListener<ChatResponse> listener =
        new ReplyListener<>(consumer, "tiergate.missing", response -> { });

    assertThatThrownBy(listener::start).isInstanceOf(IllegalStateException.class);
    listener.close();
    assertThat(consumer.closed()).isTrue();
  }
}
