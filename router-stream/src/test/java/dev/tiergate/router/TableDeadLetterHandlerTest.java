package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.junit.jupiter.api.Test;

/**
 * The handler alone (TopologyTestDriver runs global tables with a fixed log-and-continue handler, so
 * the real broker run is in the launcher's fault suite).
 */
class TableDeadLetterHandlerTest {

  private static final byte[] GARBAGE = "garbage".getBytes(StandardCharsets.UTF_8);

  private final MockProducer<byte[], byte[]> letters =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

  private TableDeadLetterHandler handler(final boolean withProducer) {
    final TableDeadLetterHandler handler = new TableDeadLetterHandler();
    handler.configure(withProducer ? Map.of(TableDeadLetterHandler.PRODUCER_CONFIG, letters) : Map.of());
    return handler;
  }

  private static ConsumerRecord<byte[], byte[]> record(final String topic, final String key) {
    return new ConsumerRecord<>(topic, 0, 42L, key.getBytes(StandardCharsets.UTF_8), GARBAGE);
  }

  @Test
  void deadLettersAnUndecodableRuleAndModelWithReasonAndSourceAndResumes() {
    final TableDeadLetterHandler handler = handler(true);

    final Response rule = handler.handleError(null, record(Topics.ROUTES.name(), "frontier/plan"),
        new SerializationException("cannot decode Route"));
    handler.handleError(null, record(Topics.MODELS.name(), "openai/gpt-5"), new SerializationException("bad"));

    assertThat(rule.result()).isEqualTo(Result.RESUME);
    assertThat(rule.deadLetterQueueRecords()).isEmpty();
    assertThat(letters.history()).extracting(ProducerRecord::topic)
        .containsExactly(Topics.ROUTES_DLQ.name(), Topics.MODELS_DLQ.name());
    final ProducerRecord<byte[], byte[]> letter = letters.history().get(0);
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("frontier/plan");
    assertThat(letter.value()).isEqualTo(GARBAGE);
    assertThat(TiergateHeaders.get(letter.headers(), TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason).contains("cannot decode Route"));
    assertThat(TiergateHeaders.get(letter.headers(), TiergateHeaders.DLQ_SOURCE))
        .contains(Topics.ROUTES.name() + "-0@42");
  }

  @Test
  void skipsATableWithoutDeadLetterTopicOrWithoutProducer() {
    assertThat(handler(true).handleError(null, record(Topics.BUDGET_STATE.name(), "budget_1"),
        new SerializationException("bad")).result()).isEqualTo(Result.RESUME);
    assertThat(handler(false).handleError(null, record(Topics.ROUTES.name(), "frontier/plan"),
        new SerializationException("bad")).result()).isEqualTo(Result.RESUME);
    assertThat(letters.history()).isEmpty();
  }
}
