package dev.tiergate.dispatcher;

import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * {@link ResponsesCatchUp} over the responses tail: the end is each partition's high watermark
 * (read uncommitted, so transactions still open count), and the tail, reading committed data only,
 * can pass it only once those transactions are decided.
 */
final class TailCatchUp implements ResponsesCatchUp {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final TopicTail<?> tail;

  TailCatchUp(final Admin admin, final TopicTail<?> tail) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.tail = Objects.requireNonNull(tail, "tail");
  }

  @Override
  public Map<TopicPartition, Long> end() {
    try {
      final String topic = Topics.RESPONSES.name();
      final int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic).partitions().size();
      final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      final Map<TopicPartition, ListOffsetsResultInfo> ends =
          admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      final Map<TopicPartition, Long> end = new HashMap<>();
      ends.forEach((partition, info) -> end.put(partition, info.offset()));
      return end;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted reading where " + Topics.RESPONSES.name() + " ends", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("cannot read where " + Topics.RESPONSES.name() + " ends", e);
    }
  }

  @Override
  public boolean reached(final Map<TopicPartition, Long> end) {
    return tail.hasRead(end);
  }
}
