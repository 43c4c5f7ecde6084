package dev.tiergate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class SchemalessAvroSerdesTest {

  private final Serde<ChatRequest> serde = Topics.REQUESTS.valueSerde(SerdeFactory.schemaless());

  @Test
  void roundTripsARequestWithEveryKindOfPart() {
    final ChatRequest request =
        ChatRequest.newBuilder()
            .setCorrelationId("req_1")
            .setSessionId("sess_1")
            .setTenant("acme")
            .setMode("plan")
            .setApiKind(ApiKind.OPENAI_CHAT)
            .setMessages(
                List.of(
                    Message.newBuilder()
                        .setRole("assistant")
                        .setParts(
                            List.of(
                                ContentPart.newBuilder().setType(PartType.TEXT).setText("hi").build(),
                                ContentPart.newBuilder()
                                    .setType(PartType.REASONING)
                                    .setText("thinking")
                                    .setReasoningFormat("anthropic-thinking")
                                    .setReasoningSignature("sig")
                                    .setReasoningFamily("claude")
                                    .build()))
                        .build()))
            .setSampling(SamplingParams.newBuilder().setTemperature(0.2).build())
            .setReceivedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
            .build();

    final byte[] bytes = serde.serializer().serialize("t", request);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(request);
  }

  @Test
  void rejectsGarbageWithSerializationException() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {(byte) 0xff, 3}))
        .isInstanceOf(SerializationException.class);
  }
}
