package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack restarted on the same directory still reads what it wrote: data and schema ids. */
class LocalStackRestartTest {

  @TempDir Path dataDir;

  @Test
  void readsRecordsWrittenBeforeARestartOnTheSameDataDirectory() throws Exception {
    final ChatRequest sent =
        ChatRequest.newBuilder()
            .setCorrelationId("req_restart")
            .setSessionId("sess_restart")
            .setTenant("tenant_acme")
            .setReceivedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .build();
    final RecordMetadata written;
    try (LocalStack stack = LocalStack.start(dataDir);
        KafkaProducer<String, ChatRequest> producer =
            new KafkaProducer<>(
                stack.kafkaSettings().clientProperties(Map.of()),
                Topics.REQUESTS.keySerde().serializer(),
                Topics.REQUESTS.valueSerde(stack.serdes()).serializer())) {
      written =
          producer
              .send(new ProducerRecord<>(Topics.REQUESTS.name(), sent.getSessionId(), sent))
              .get(30, TimeUnit.SECONDS);
    }

    try (LocalStack restarted = LocalStack.start(dataDir)) {
      assertThat(readBack(restarted, written)).isEqualTo(sent);
    }
  }

  private static ChatRequest readBack(final LocalStack stack, final RecordMetadata written) {
    final TopicPartition partition = new TopicPartition(written.topic(), written.partition());
    try (KafkaConsumer<String, ChatRequest> consumer =
        new KafkaConsumer<>(
            stack.kafkaSettings()
                .clientProperties(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
            Topics.REQUESTS.keySerde().deserializer(),
            Topics.REQUESTS.valueSerde(stack.serdes()).deserializer())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, written.offset());
      final List<ChatRequest> values = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return !values.isEmpty();
              });
      return values.get(0);
    }
  }
}
