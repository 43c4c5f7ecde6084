package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class RouterProductionHandlerTest {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final RouterProductionHandler handler = new RouterProductionHandler(SERDES);

  @Test
  void routedRecordTooLargeIsDeadLetteredWithItsReasonAndAnswered413() {
    final ChatRequest request = request();
    final byte[] input = Topics.REQUESTS.valueSerde(SERDES).serializer()
        .serialize(Topics.REQUESTS.name(), request);

    final Response response = handler.handleError(context(input), routedRecord(request),
        new RecordTooLargeException("The message is 30199517 bytes"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    final List<ProducerRecord<byte[], byte[]>> out = response.deadLetterQueueRecords();
    assertThat(out).extracting(ProducerRecord::topic)
        .containsExactly(Topics.REQUESTS_DLQ.name(), Topics.RESPONSES.name());
    assertThat(out.get(0).value()).isEqualTo(input);
    assertThat(TiergateHeaders.get(out.get(0).headers(), TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason)
            .contains("tiergate.routed").contains("RecordTooLargeException"));
    assertThat(TiergateHeaders.get(out.get(0).headers(), TiergateHeaders.DLQ_SOURCE))
        .contains("tiergate.requests-2@41");
    final ChatResponse reply = Topics.RESPONSES.valueSerde(SERDES).deserializer()
        .deserialize(Topics.RESPONSES.name(), out.get(1).value());
    assertThat(new String(out.get(1).key(), StandardCharsets.UTF_8)).isEqualTo("req_big");
    assertThat(reply.getCorrelationId()).isEqualTo("req_big");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(413);
    assertThat(reply.getError().getType()).isEqualTo("request_too_large");
  }

  @Test
  void withoutTheInputBytesTheRequestIsTakenFromTheRoutedRecord() {
    final ChatRequest request = request();

    final Response response = handler.handleError(context(null), routedRecord(request),
        new RecordTooLargeException("too large"));

    final List<ProducerRecord<byte[], byte[]>> out = response.deadLetterQueueRecords();
    assertThat(out).extracting(ProducerRecord::topic)
        .containsExactly(Topics.REQUESTS_DLQ.name(), Topics.RESPONSES.name());
    assertThat(Topics.REQUESTS.valueSerde(SERDES).deserializer()
        .deserialize(Topics.REQUESTS.name(), out.get(0).value())).isEqualTo(request);
    assertThat(TiergateHeaders.get(out.get(0).headers(), TiergateHeaders.CORRELATION_ID))
        .contains("req_big");
  }

  @Test
  void aFailedErrorReplyIsDeadLetteredButNotAnsweredAgain() {
    final ChatRequest request = request();
    final byte[] input = Topics.REQUESTS.valueSerde(SERDES).serializer()
        .serialize(Topics.REQUESTS.name(), request);

    final Response response = handler.handleError(context(input),
        new ProducerRecord<>(Topics.RESPONSES.name(), new byte[0], new byte[0]),
        new RecordTooLargeException("too large"));

    assertThat(response.deadLetterQueueRecords()).extracting(ProducerRecord::topic)
        .containsExactly(Topics.REQUESTS_DLQ.name());
  }

  @Test
  void aFailedDeadLetterIsOnlyLoggedSoNothingLoops() {
    final Response response = handler.handleError(context(new byte[] {1}),
        new ProducerRecord<>(Topics.REQUESTS_DLQ.name(), new byte[0], new byte[0]),
        new RecordTooLargeException("too large"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  private static ChatRequest request() {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_big")
        .setSessionId("sess_big")
        .setTenant("acme")
        .setTier("balanced")
        .setMode("m".repeat(64))
        .setReceivedAt(NOW)
        .build();
  }

  private static ProducerRecord<byte[], byte[]> routedRecord(final ChatRequest request) {
    final RoutedRequest routed = RoutedRequest.newBuilder()
        .setRequest(request)
        .setDecision(RoutingDecision.newBuilder()
            .setModelChain(List.of("openai/gpt-5"))
            .setTier("balanced")
            .setMode(request.getMode())
            .setRuleKey("balanced/*")
            .setReason("test")
            .setPredicted(false)
            .setParams(Map.of())
            .setRoutedAt(NOW)
            .build())
        .build();
    final Headers headers = new RecordHeaders();
    TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, request.getCorrelationId());
    return new ProducerRecord<>(Topics.ROUTED.name(), null,
        request.getCorrelationId().getBytes(StandardCharsets.UTF_8),
        Topics.ROUTED.valueSerde(SERDES).serializer().serialize(Topics.ROUTED.name(), routed),
        headers);
  }

  private static ErrorHandlerContext context(final byte[] rawValue) {
    return new ErrorHandlerContext() {
      @Override public String topic() { return Topics.REQUESTS.name(); }
      @Override public int partition() { return 2; }
      @Override public long offset() { return 41; }
      @Override public Headers headers() { return new RecordHeaders(); }
      @Override public String processorNodeId() { return "routed-sink"; }
      @Override public TaskId taskId() { return new TaskId(0, 2); }
      @Override public long timestamp() { return NOW.toEpochMilli(); }
      @Override public byte[] sourceRawKey() { return "sess_big".getBytes(StandardCharsets.UTF_8); }
      @Override public byte[] sourceRawValue() { return rawValue; }
    };
  }
}
