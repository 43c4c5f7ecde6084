package dev.tiergate.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ResponsePublisherTest {

  @Test
  void retriesAFailingSerializationAndPublishesOnce() {
    final FlakySerdes serdes = new FlakySerdes(2);
    final MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

    final CompletableFuture<Void> sent = new ResponsePublisher(producer, serdes).response(response("req_p1"));

    assertThat(sent).succeedsWithin(java.time.Duration.ofSeconds(30));
    assertThat(producer.history()).singleElement().satisfies(record -> assertThat(record.key()).isEqualTo("req_p1"));
    assertThat(serdes.calls).hasValue(3);
  }

  @Test
  void aSerializationThatKeepsFailingFailsTheSend() {
    final FlakySerdes serdes = new FlakySerdes(Integer.MAX_VALUE);
    final MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

    final CompletableFuture<Void> sent = new ResponsePublisher(producer, serdes).response(response("req_p2"));

    assertThat(sent).failsWithin(java.time.Duration.ofSeconds(30));
    assertThat(producer.history()).isEmpty();
    assertThat(serdes.calls).hasValue(ResponsePublisher.SERIALIZE_ATTEMPTS);
  }

  private static ChatResponse response(final String id) {
    return ChatResponse.newBuilder()
        .setCorrelationId(id)
        .setCreatedAt(Instant.parse("2025-06-01T10:00:00Z").truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  /** Schemaless serdes whose serializers fail the first {@code failures} calls, like a busy registry. */
  private static final class FlakySerdes implements SerdeFactory {
    private final SerdeFactory real = SerdeFactory.schemaless();
    private final int failures;
    private final AtomicInteger calls = new AtomicInteger();

    FlakySerdes(final int failures) {
      this.failures = failures;
    }

    @Override
    public <T extends SpecificRecord> Serde<T> avro(final Class<T> type) {
      final Serde<T> serde = real.avro(type);
      final Serializer<T> flaky =
          (topic, value) -> {
            if (calls.incrementAndGet() <= failures) {
              throw new IllegalStateException("registry busy (simulated)");
            }
            return serde.serializer().serialize(topic, value);
          };
      return Serdes.serdeFrom(flaky, serde.deserializer());
    }
  }
}
